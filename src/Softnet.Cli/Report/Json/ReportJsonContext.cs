using System.Text.Json.Serialization;

namespace Softnet.Cli.Report.Json;

/// <summary>
/// The reports' JSON, generated at compile time: field names are the records' property names in snake_case, in
/// declaration order; a null field is left out (so a report shows only the fields that apply to its run).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(RunJson))]
[JsonSerializable(typeof(ServeJson))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
