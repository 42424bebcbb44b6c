using System.Text.Json;
using System.Text.Json.Serialization;

namespace SenderAuth.Server.Api;

/// <summary>The JSON the API speaks: camelCase, enums as their names, no nulls left out (stable for scripts).</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.MaxDepth = 16;
        return options;
    }
}
