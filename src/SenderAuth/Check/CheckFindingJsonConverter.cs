using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SenderAuth.Check;

/// <summary>
/// Writes and reads a <see cref="CheckFinding"/> under the names the check's JSON has always had: <c>name</c> for
/// the subject and <c>advice</c> for the message, and no <c>position</c> (a check finding has none). The values go
/// through the options given (the contract's tokens, strict reading), by way of a plain record with those names.
/// </summary>
/// <remarks>
/// Not attributes on the record: the names belong to the base <see cref="Finding"/>, and the other findings
/// (SPF lint, DMARC lint) keep <c>message</c>/<c>subject</c>. Rows stored before this type derived from
/// <see cref="Finding"/> hold exactly this shape, so they read unchanged.
/// </remarks>
internal sealed class CheckFindingJsonConverter : JsonConverter<CheckFinding>
{
    private const string Reflection = "Reached only through SenderAuthJson, which is marked RequiresUnreferencedCode and RequiresDynamicCode.";

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Reflection)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Reflection)]
    public override CheckFinding? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var w = JsonSerializer.Deserialize<Wire>(ref reader, options);
        if (w is null)
        {
            return null;
        }
        if (w.Code is null || w.Advice is null)
        {
            throw new JsonException("a check finding needs \"code\" and \"advice\"");
        }
        return new CheckFinding(w.Area, w.Severity, w.Code, w.Advice)
        {
            Subject = w.Name, Observed = w.Observed, Expected = w.Expected, Temporary = w.Temporary,
        };
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Reflection)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Reflection)]
    public override void Write(Utf8JsonWriter writer, CheckFinding value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, new Wire(value.Area, value.Severity, value.Code, value.Subject, value.Observed, value.Expected, value.Message, value.Temporary), options);

    /// <summary>The JSON shape, in the order docs/check.md shows it.</summary>
    private sealed record Wire(CheckArea Area, FindingSeverity Severity, string Code, string? Name, string? Observed, string? Expected, string Advice, bool Temporary);
}
