using System.Globalization;

namespace SenderAuth.Server.Access;

/// <summary>
/// What an API key may do, chosen when it is issued. A key leaked from a sending application should sign and
/// nothing else; the words in JSON and the database are kebab-case (<c>sign</c>, <c>read</c>,
/// <c>manage-domains</c>, <c>admin</c>).
/// </summary>
public enum ApiScope
{
    /// <summary>Sign messages (POST /messages/sign) and nothing else: the key of a sending application.</summary>
    Sign,
    /// <summary>Read what the key's institution (or, for an operator key, the platform) holds; change nothing.</summary>
    Read,
    /// <summary>Read, plus register, check, delete and restore domains, switch signing, import keys, request rotations, upload reports, declare senders.</summary>
    ManageDomains,
    /// <summary>Everything the key's owner may do: API keys, webhooks, institutions (operator), the provider zone, the audit log.</summary>
    Admin,
}

/// <summary>The words of <see cref="ApiScope"/>, what each one grants, and how a key's scopes are stored.</summary>
public static class ApiScopes
{
    public static readonly IReadOnlyList<ApiScope> All = Enum.GetValues<ApiScope>();

    public static string Token(ApiScope scope) => scope switch
    {
        ApiScope.Sign => "sign",
        ApiScope.Read => "read",
        ApiScope.ManageDomains => "manage-domains",
        ApiScope.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, null),
    };

    public static bool TryParse(string? token, out ApiScope scope)
    {
        foreach (var s in All)
        {
            if (string.Equals(Token(s), token, StringComparison.Ordinal))
            {
                scope = s;
                return true;
            }
        }
        scope = default;
        return false;
    }

    /// <summary>
    /// Whether holding <paramref name="held"/> allows what needs <paramref name="needed"/>: admin grants every scope,
    /// manage-domains grants read too; sign grants only sign (a signing integration never reads reports).
    /// </summary>
    public static bool Grants(ApiScope held, ApiScope needed) => held == needed
        || held == ApiScope.Admin
        || (held == ApiScope.ManageDomains && needed == ApiScope.Read);

    public static bool Grants(IEnumerable<ApiScope> held, ApiScope needed)
    {
        ArgumentNullException.ThrowIfNull(held);
        return held.Any(h => Grants(h, needed));
    }

    /// <summary>The stored form: the words, space-separated, in the enum's order (the migration gave existing keys "admin").</summary>
    public static string Store(IEnumerable<ApiScope> scopes) => string.Join(' ', scopes.Distinct().Order().Select(Token));

    /// <summary>Reads the stored form; an unknown word is dropped (it grants nothing), never an error on the hot path.</summary>
    public static IReadOnlyList<ApiScope> Load(string? stored) =>
        (stored ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => TryParse(w, out var s) ? (ApiScope?)s : null)
            .OfType<ApiScope>().Distinct().Order().ToList();

    public static string List(IEnumerable<ApiScope> scopes) => string.Join(", ", scopes.Select(Token));

    /// <summary>The authorization policy that requires <paramref name="scope"/>.</summary>
    public static string Policy(ApiScope scope) => "scope:" + Token(scope);

    public static string Words => string.Join(", ", All.Select(s => Token(s).ToString(CultureInfo.InvariantCulture)));
}
