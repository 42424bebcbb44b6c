using System.Text;
using SenderAuth.Mail;

namespace SenderAuth.Tests.Dkim;

/// <summary>
/// One smuggling case: a line put into a signed message (after its From, above it, at the very top, or inside the
/// From line), and what a receiver must conclude. <paramref name="Line"/> is Latin-1, so every char is one byte
/// ("\u00a0" is the byte 0xA0, "\u00c2\u00a0" the UTF-8 NBSP). The list starts from the cases of issue 19 (VT, FF,
/// NBSP, U+2028 lines after From, which once verified) and the From-confusion cases of Chen et al., "Composition
/// Kills" (USENIX Security 2020): a second From, "From :" with a space, case variants, a first line that begins
/// with whitespace.
/// </summary>
public sealed record SmugglingCase(string Name, string Where, string Line, string Dkim, string DkimReason, string DmarcReason, HeaderAmbiguityReason? Ambiguity)
{
    /// <summary>The signed message with the line put in; <paramref name="fromLine"/> is the signed From line without its CRLF.</summary>
    public byte[] Apply(byte[] signed, string fromLine)
    {
        var text = Encoding.Latin1.GetString(signed);
        var from = fromLine + "\r\n";
        var result = Where switch
        {
            "after-from" => text.Replace(from, from + Line + "\r\n", StringComparison.Ordinal),
            "above-from" => text.Replace(from, Line + "\r\n" + from, StringComparison.Ordinal),
            "in-from" => text.Replace(from, fromLine + Line + "\r\n", StringComparison.Ordinal),
            "top" => Line + "\r\n" + text,
            _ => throw new ArgumentException(Where),
        };
        if (result == text)
        {
            throw new InvalidOperationException($"{Name}: the line was not put in");
        }
        return Encoding.Latin1.GetBytes(result);
    }

    public override string ToString() => Name;
}

public static class HeaderSmugglingCases
{
    private const string Evil = "Evil <evil@attacker.example>";

    public static readonly SmugglingCase[] All =
    [
        // Issue 19: a nameless line after From that clients fold into it; once dkim=pass and dmarc=pass.
        Ambiguous("vt-after-from", "after-from", "\v, " + Evil, HeaderAmbiguityReason.LeadingControlCharacter),
        Ambiguous("ff-after-from", "after-from", "\f, " + Evil, HeaderAmbiguityReason.LeadingControlCharacter),
        Ambiguous("lone-cr-after-from", "after-from", "\r, " + Evil, HeaderAmbiguityReason.LeadingControlCharacter),
        Ambiguous("latin1-nbsp-after-from", "after-from", "\u00a0, " + Evil, HeaderAmbiguityReason.LeadingUnicodeSpace),
        Ambiguous("utf8-nbsp-after-from", "after-from", "\u00c2\u00a0, " + Evil, HeaderAmbiguityReason.LeadingUnicodeSpace),
        Ambiguous("u2028-after-from", "after-from", "\u00e2\u0080\u00a8, " + Evil, HeaderAmbiguityReason.LeadingUnicodeSpace),
        Ambiguous("u2029-after-from", "after-from", "\u00e2\u0080\u00a9, " + Evil, HeaderAmbiguityReason.LeadingUnicodeSpace),
        Ambiguous("nel-after-from", "after-from", "\u00c2\u0085, " + Evil, HeaderAmbiguityReason.LeadingControlCharacter),
        Ambiguous("no-colon-after-from", "after-from", Evil, HeaderAmbiguityReason.LineWithoutColon),
        // A hidden second From above the signed one: some parsers skip the odd byte and see it, some do not.
        Ambiguous("vt-from-above-from", "above-from", "\vFrom: " + Evil, HeaderAmbiguityReason.LeadingControlCharacter),
        Ambiguous("nbsp-from-above-from", "above-from", "\u00a0From: " + Evil, HeaderAmbiguityReason.LeadingUnicodeSpace),
        Ambiguous("u2028-from-above-from", "above-from", "\u00e2\u0080\u00a8From: " + Evil, HeaderAmbiguityReason.LeadingUnicodeSpace),
        Ambiguous("vt-in-name-above-from", "above-from", "From\v: " + Evil, HeaderAmbiguityReason.InvalidFieldName),
        // Composition Kills: a first header line that begins with whitespace ("folding" with nothing to fold into).
        Ambiguous("leading-space-from-at-top", "top", " From: " + Evil, HeaderAmbiguityReason.LeadingWhitespace),
        // A lone CR inside From: some readers end the line there and see a second From.
        Ambiguous("bare-cr-in-from", "in-from", "\rFrom: " + Evil, HeaderAmbiguityReason.BareCarriageReturn),
        // Issue 19 review: every bare CR counts, not the first only, and one in a name too ("X-Junk\rFrom" is From to a
        // reader that ends the line at the CR); above the real From and below it.
        Ambiguous("bare-cr-chain-above-from", "above-from", "X-Junk: a\rY: b\rFrom: " + Evil, HeaderAmbiguityReason.BareCarriageReturn),
        Ambiguous("bare-cr-chain-after-from", "after-from", "X-Junk: a\rY: b\rFrom: " + Evil, HeaderAmbiguityReason.BareCarriageReturn),
        Ambiguous("bare-cr-in-name-above-from", "above-from", "X-Junk\rFrom: " + Evil, HeaderAmbiguityReason.LineWithoutColon),
        Ambiguous("bare-cr-in-name-after-from", "after-from", "X-Junk\rFrom: " + Evil, HeaderAmbiguityReason.LineWithoutColon),
        // The hidden From behind the CR of a signed field's value.
        Ambiguous("bare-cr-in-signed-field-after-from", "after-from", "Subject: s\rFrom: " + Evil, HeaderAmbiguityReason.BareCarriageReturn),
        // Composition Kills: several From fields, spelled as RFC 5322 allows (case, obsolete WSP before the colon).
        // Over-signing (h=From:From) makes DKIM fail; DMARC refuses several From fields whatever SPF says.
        new("second-from-above", "above-from", "From: " + Evil, "fail", "signature-mismatch", "multiple-from-fields", null),
        new("second-from-below", "after-from", "From: " + Evil, "fail", "signature-mismatch", "multiple-from-fields", null),
        new("space-before-colon-from-above", "above-from", "From : " + Evil, "fail", "signature-mismatch", "multiple-from-fields", null),
        new("uppercase-from-above", "above-from", "FROM: " + Evil, "fail", "signature-mismatch", "multiple-from-fields", null),
    ];

    private static SmugglingCase Ambiguous(string name, string where, string line, HeaderAmbiguityReason reason) =>
        new(name, where, line, "permerror", "ambiguous-header", "ambiguous-from", reason);

    public static IEnumerable<TheoryDataRow<string>> Names() => All.Select(c => new TheoryDataRow<string>(c.Name));

    public static SmugglingCase Get(string name) => All.Single(c => c.Name == name);
}
