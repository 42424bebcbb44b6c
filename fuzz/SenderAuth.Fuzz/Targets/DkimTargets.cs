using SenderAuth.Dkim;
using SenderAuth.Parsing;

namespace SenderAuth.Fuzz;

/// <summary>DKIM-Signature field values, key records and the tag=value lists under both of them (RFC 6376 §3.2).</summary>
internal static class DkimTargets
{
    /// <summary><see cref="DkimSignature.Parse"/>: a malformed field is null with a reason and an error; no exception.</summary>
    public static FuzzTarget Signature { get; } = new("dkim-signature", input =>
    {
        var signature = DkimSignature.Parse(FuzzTargets.Text(input), out _, out var error);
        if (signature is null && error is null)
        {
            throw new InvalidOperationException("DkimSignature.Parse returned no signature and no error");
        }
    }, [], FuzzBudget.Text);

    /// <summary>
    /// <see cref="DkimKeyRecord.Parse"/> (which decodes the RSA or Ed25519 public key) and the tag-list reader under
    /// DKIM's strict rules and DMARC's lenient ones: bad input is an error as data; no exception.
    /// </summary>
    public static FuzzTarget KeyRecord { get; } = new("dkim-key", input =>
    {
        var text = FuzzTargets.Text(input);
        var key = DkimKeyRecord.Parse(text, out var error);
        if (key is null && error is null)
        {
            throw new InvalidOperationException("DkimKeyRecord.Parse returned no key and no error");
        }
        _ = DkimTags.Parse(text, out _);
        _ = TagList.Parse(text, TagListRules.Dmarc);
    }, [], FuzzBudget.Text);
}
