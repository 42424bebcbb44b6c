using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using SenderAuth.Json;

namespace SenderAuth.Cli;

/// <summary>
/// The one JSON contract (<see cref="SenderAuthJson.Configure(JsonSerializerOptions, IJsonTypeInfoResolver, IEnumerable{System.Text.Json.Serialization.JsonConverter})"/>:
/// names, RFC tokens, kebab-case enums, nulls, UTC) over the CLI's source-generated metadata (<see cref="CliJsonContext"/>)
/// instead of the contract's reflection resolver: the same bytes, without reflecting over a view's members at run time
/// in a process that lives ~50 ms, and with nothing the engine CLI's Native AOT build cannot compile (issue 25). The
/// contract's converters and its finding modifier apply to source-generated metadata as to reflected metadata; a view
/// missing from the context fails loudly (NotSupportedException), never falls back to a second path.
/// </summary>
internal static class CliJson
{
    /// <summary>One JSON value per line (<c>--batch</c>, <c>check --domains</c>).</summary>
    public static JsonSerializerOptions Compact { get; } = Create(writeIndented: false);

    /// <summary>One object for <c>--json</c>.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(writeIndented: true);

    public static string Write<T>(T value, bool indented) => JsonSerializer.Serialize(value, Info<T>(indented ? Indented : Compact));

    public static string Line<T>(T value) => Write(value, indented: false);

    public static JsonObject Node<T>(T value) => JsonSerializer.SerializeToNode(value, Info<T>(Compact))!.AsObject();

    public static T? Read<T>(string json) => JsonSerializer.Deserialize(json, Info<T>(Compact));

    /// <summary>
    /// Reads what a SenderAuth server answered (<c>status</c>, <c>audit</c>): the contract's names, tokens and times, but
    /// the fields the answer record does not name are skipped, not refused, so a server that adds fields still works.
    /// </summary>
    public static T? ReadAnswer<T>(string json) => JsonSerializer.Deserialize(json, Info<T>(Answers));

    private static JsonSerializerOptions Answers { get; } = Create(writeIndented: false, skipUnknownMembers: true);

    private static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    private static JsonSerializerOptions Create(bool writeIndented, bool skipUnknownMembers = false)
    {
        var options = SenderAuthJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = writeIndented },
            CliJsonContext.Default, CliJsonContext.KebabCaseEnums);
        if (skipUnknownMembers)
        {
            options.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip;
        }
        options.MakeReadOnly();
        return options;
    }
}
