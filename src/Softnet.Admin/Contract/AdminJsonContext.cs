using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>Source-generated serialization for every admin message, shared by the server and its clients.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NapiInfo))]
[JsonSerializable(typeof(IReadOnlyList<NapiInfo>))]
[JsonSerializable(typeof(DeviceInfo))]
[JsonSerializable(typeof(IReadOnlyList<DeviceInfo>))]
[JsonSerializable(typeof(StatsInfo))]
[JsonSerializable(typeof(CpuStatsInfo))]
[JsonSerializable(typeof(NapiStatsInfo))]
[JsonSerializable(typeof(OverloadStatusInfo))]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(NapiSetRequest))]
[JsonSerializable(typeof(DeviceSetRequest))]
[JsonSerializable(typeof(ChannelsSetRequest))]
[JsonSerializable(typeof(CpuSetRequest))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
