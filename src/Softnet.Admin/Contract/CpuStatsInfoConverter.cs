using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Softnet.Admin.Contract;

/// <summary>Writes a <see cref="CpuStatsInfo"/> as one flat object, its counters as fields in table order, and reads it back.</summary>
internal sealed class CpuStatsInfoConverter : JsonConverter<CpuStatsInfo>
{
    public override CpuStatsInfo Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("a CPU's stats must be a JSON object");
        int cpu = 0;
        bool online = false;
        OverloadStatusInfo? overload = null;
        var counters = new OrderedDictionary<string, long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "cpu":
                    cpu = reader.GetInt32();
                    break;
                case "online":
                    online = reader.GetBoolean();
                    break;
                case "overload":
                    overload = JsonSerializer.Deserialize(ref reader, OverloadInfo(options));
                    break;
                default:
                    if (reader.TokenType == JsonTokenType.Number)
                        counters[name] = reader.GetInt64();
                    else
                        reader.Skip();
                    break;
            }
        }
        return new CpuStatsInfo(cpu, online, counters, overload);
    }

    public override void Write(Utf8JsonWriter writer, CpuStatsInfo value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("cpu", value.Cpu);
        writer.WriteBoolean("online", value.Online);
        foreach (var (name, count) in value.Counters)
            writer.WriteNumber(name, count);
        if (value.Overload is { } overload)
        {
            writer.WritePropertyName("overload");
            JsonSerializer.Serialize(writer, overload, OverloadInfo(options));
        }
        writer.WriteEndObject();
    }

    private static JsonTypeInfo<OverloadStatusInfo> OverloadInfo(JsonSerializerOptions options) =>
        (JsonTypeInfo<OverloadStatusInfo>)options.GetTypeInfo(typeof(OverloadStatusInfo));
}
