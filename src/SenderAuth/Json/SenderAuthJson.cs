using SenderAuth.Json;
using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Reports;
using SenderAuth.Spf;

namespace SenderAuth.Json;

/// <summary>
/// The one JSON contract of SenderAuth, for the API, the CLI's <c>--json</c>, webhooks and the JSON the server
/// stores: property names in camelCase; results as their RFC tokens (<c>softfail</c>, <c>temperror</c>) and reason
/// codes as their kebab-case codes, through the same mappings the text output uses (<see cref="SpfTokens"/>,
/// <see cref="DkimTokens"/>, <see cref="DmarcTokens"/>, <see cref="DmarcReportTokens"/>); every other enum in
/// kebab-case (<c>mail-from</c>); nulls written, so every documented field is always present; times in UTC with
/// <c>Z</c>. Reading is forgiving where it costs nothing (enum names in any case, the camelCase names written
/// before this contract) and strict where it matters (unknown properties refused, depth 16). docs/json.md.
/// </summary>
public static class SenderAuthJson
{
    private const string Reflection = "SenderAuth's JSON is serialized by reflection (System.Text.Json's default resolver); the engine's other APIs are trimming- and AOT-safe.";
    private static JsonSerializerOptions? _options;
    private static JsonSerializerOptions? _indented;

    /// <summary>The contract, compact.</summary>
    public static JsonSerializerOptions Options
    {
        [RequiresUnreferencedCode(Reflection)]
        [RequiresDynamicCode(Reflection)]
        get => _options ??= Frozen(writeIndented: false);
    }

    /// <summary>The contract, indented (the CLI's <c>--json</c> for one object).</summary>
    public static JsonSerializerOptions Indented
    {
        [RequiresUnreferencedCode(Reflection)]
        [RequiresDynamicCode(Reflection)]
        get => _indented ??= Frozen(writeIndented: true);
    }

    /// <summary>
    /// The token JSON writes for <paramref name="value"/> (an RFC token or a kebab-case name): for logs, metrics labels
    /// and text output, so that they use the one mapping instead of <c>ToString().ToLowerInvariant()</c>.
    /// </summary>
    [RequiresUnreferencedCode(Reflection)]
    [RequiresDynamicCode(Reflection)]
    public static string Token<T>(T value)
        where T : struct, Enum => JsonSerializer.Deserialize<string>(JsonSerializer.SerializeToUtf8Bytes(value, Options))!;

    /// <summary>
    /// The value whose token (<see cref="Token{T}"/>) is exactly <paramref name="token"/>: the words a query string or a
    /// command-line option accepts are the words JSON writes. False for anything else, numbers and other cases included.
    /// </summary>
    [RequiresUnreferencedCode(Reflection)]
    [RequiresDynamicCode(Reflection)]
    public static bool TryParse<T>(string? token, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Token(candidate), token, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Every token of <typeparamref name="T"/>, in declaration order (for messages that list the accepted words).</summary>
    [RequiresUnreferencedCode(Reflection)]
    [RequiresDynamicCode(Reflection)]
    public static IReadOnlyList<string> Tokens<T>()
        where T : struct, Enum => [.. Enum.GetValues<T>().Select(Token)];

    /// <summary>Applies the contract to options made elsewhere (ASP.NET's HTTP JSON options).</summary>
    [RequiresUnreferencedCode(Reflection)]
    [RequiresDynamicCode(Reflection)]
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Apply(options, options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver());
        // Every other enum: kebab-case, one name only (no "a, b" lists, no numbers, no padding), errors list the words.
        options.Converters.Add(new KebabEnumConverterFactory());
        return options;
    }

    /// <summary>
    /// The same contract over source-generated metadata (<paramref name="resolver"/>), for a trimmed or Native AOT
    /// program (the engine CLI): no reflection. The kebab-case enums (every enum without a protocol token) cannot be
    /// made on demand there, since a converter for an enum met only at run time is a generic instantiation that
    /// ahead-of-time compilation never saw; the caller names them instead (<see cref="KebabCaseEnum{T}"/>). An enum
    /// named nowhere is written as System.Text.Json's default, its number: a caller's test serializes its every view.
    /// </summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options, IJsonTypeInfoResolver resolver, IEnumerable<JsonConverter> kebabCaseEnums)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(kebabCaseEnums);
        Apply(options, resolver);
        foreach (var converter in kebabCaseEnums)
        {
            options.Converters.Add(converter);
        }
        return options;
    }

    /// <summary>The contract's converter for an enum without a protocol token: kebab-case (<c>MailFrom</c> is <c>mail-from</c>).</summary>
    public static JsonConverter<T> KebabCaseEnum<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] T>()
        where T : struct, Enum => new KebabEnumConverter<T>();

    private static void Apply(JsonSerializerOptions options, IJsonTypeInfoResolver resolver)
    {
        // Every finding: severity, code, message, subject, position, then its type's own fields (FindingContract);
        // a modifier, so the OpenAPI document reads the same names.
        options.TypeInfoResolver = resolver.WithAddedModifier(FindingContract.Modify);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.MaxDepth = 16;
        // Output is served as application/json or printed, never inlined into HTML: non-ASCII names and '+' stay readable.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        foreach (var converter in Converters())
        {
            options.Converters.Add(converter);
        }
    }

    [RequiresUnreferencedCode(Reflection)]
    [RequiresDynamicCode(Reflection)]
    private static JsonSerializerOptions Frozen(bool writeIndented)
    {
        var options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = writeIndented });
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static IEnumerable<JsonConverter> Converters() =>
    [
        new TokenEnumConverter<SpfResult>(SpfTokens.Token),
        new TokenEnumConverter<SpfReason>(SpfReasonCodes.Code),
        new TokenEnumConverter<SpfIdentity>(SpfTokens.Token),
        new TokenEnumConverter<DkimResult>(DkimTokens.Token),
        new TokenEnumConverter<DkimReason>(DkimTokens.Code),
        new TokenEnumConverter<DkimSignRefusal>(DkimTokens.Code),
        new TokenEnumConverter<DkimAlgorithm>(DkimSignature.AlgorithmToken),
        new TokenEnumConverter<DkimKeyType>(DkimTokens.Token),
        new TokenEnumConverter<Mail.HeaderAmbiguityReason>(Mail.HeaderAmbiguityCodes.Code),
        new TokenEnumConverter<DmarcResult>(DmarcTokens.Token),
        new TokenEnumConverter<DmarcPolicy>(DmarcTokens.Token),
        new TokenEnumConverter<DmarcReason>(DmarcTokens.Code),
        new TokenEnumConverter<DmarcDisposition>(DmarcReportTokens.Token),
        new TokenEnumConverter<DmarcAlignmentResult>(DmarcReportTokens.Token),
        new TokenEnumConverter<Reports.DmarcAlignmentMode>(DmarcReportTokens.Token),
        new TokenEnumConverter<DmarcAuthResult>(DmarcReportTokens.Token),
        new TokenEnumConverter<DmarcSpfScope>(DmarcReportTokens.Token),
        new TokenEnumConverter<DmarcPolicyOverride>(DmarcReportTokens.Token),
        new TokenEnumConverter<DmarcReportErrorKind>(DmarcReportErrors.Code),
        new TokenEnumConverter<FindingSeverity>(FindingSeverityTokens.Token),
        new TokenEnumConverter<Check.CheckArea>(Check.CheckTokens.Token),
        new TokenEnumConverter<Check.AreaVerdict>(Check.CheckTokens.Token),
        new TokenEnumConverter<Dns.DnsRecordType>(Dns.DnsRecordTypeTokens.Token),
        new TokenEnumConverter<Dns.DnssecStatus>(Dns.DnssecStatusTokens.Token),
        new TokenEnumConverter<Reports.Failure.FailureReportFormat>(Reports.Failure.FailureReportFormatTokens.Token),
        new UtcDateTimeOffsetConverter(),
        new UtcDateTimeConverter(),
    ];
}
