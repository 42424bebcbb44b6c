using ARSoft.Tools.Net.Dns;

namespace SenderAuth.Server.Publishing;

/// <summary>TSIG algorithm names as BIND, Knot and RFC 8945 §6 spell them.</summary>
internal static class TsigAlgorithms
{
    private static readonly Dictionary<string, TSigAlgorithm> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["hmac-sha256"] = TSigAlgorithm.Sha256,
        ["hmac-sha384"] = TSigAlgorithm.Sha384,
        ["hmac-sha512"] = TSigAlgorithm.Sha512,
        ["hmac-sha224"] = TSigAlgorithm.Sha224,
        // Still common on older primaries; RFC 8945 §6 keeps it as "must implement".
        ["hmac-sha1"] = TSigAlgorithm.Sha1,
    };

    public static IEnumerable<string> Names => ByName.Keys;

    /// <summary>The names as configuration and error messages list them, comma-separated.</summary>
    public static string List => string.Join(", ", Names);

    public static bool IsKnown(string? name) => name is not null && ByName.ContainsKey(name);

    public static TSigAlgorithm Parse(string name) =>
        ByName.TryGetValue(name, out var algorithm) ? algorithm : throw new ArgumentException($"unknown TSIG algorithm '{name}'", nameof(name));
}
