namespace SenderAuth.Dkim;

/// <summary>One signature to add: who signs (d=, s=) and with which key.</summary>
/// <param name="Domain">d=: the signing domain; align it with the From domain for DMARC.</param>
/// <param name="Selector">s=: the selector; the public key must be published at <c>selector._domainkey.domain</c>.</param>
/// <param name="Key">The private key.</param>
public sealed record DkimSigningKey(string Domain, string Selector, DkimPrivateKey Key);

/// <summary>How <see cref="DkimSigner"/> signs. Defaults follow current practice (M3AAWG, RFC 8301).</summary>
public sealed record DkimSignerOptions
{
    /// <summary>The headers signed when present, in this order (RFC 6376 §5.4.1 recommendations plus list headers).</summary>
    public static readonly IReadOnlyList<string> DefaultHeaders =
    [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version", "Content-Type",
        "Content-Transfer-Encoding", "List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID",
    ];

    /// <summary>Headers signed once more than they occur, so that none can be added later (RFC 6376 §8.15).</summary>
    public static readonly IReadOnlyList<string> DefaultOverSigned = ["From", "Subject", "To", "Date"];

    /// <summary>One key per signature; two (RSA and Ed25519) for dual signing in one pass over the body.</summary>
    public required IReadOnlyList<DkimSigningKey> Keys { get; init; }

    /// <summary>c= for headers; relaxed by default, because relays rewrap and recase header fields.</summary>
    public DkimCanonicalization HeaderCanonicalization { get; init; } = DkimCanonicalization.Relaxed;

    /// <summary>c= for the body; relaxed by default, because relays change trailing white space.</summary>
    public DkimCanonicalization BodyCanonicalization { get; init; } = DkimCanonicalization.Relaxed;

    /// <summary>The header field names to sign (h=), in this order; <see cref="DefaultHeaders"/> unless set. RFC 6376 §5.4
    /// requires From among them.</summary>
    public IReadOnlyList<string> Headers { get; init; } = DefaultHeaders;

    /// <summary>Fields listed once more in h= than present, so that adding one (a second From, Subject or To) breaks
    /// the signature (RFC 6376 §8.15); the defaults cover the fields a reader sees.</summary>
    public IReadOnlyList<string> OverSigned { get; init; } = DefaultOverSigned;

    /// <summary>When set, x= is t= plus this; none by default (an expired signature on delayed mail fails).</summary>
    public TimeSpan? Expiration { get; init; }

    /// <summary>i= (the AUID); must be within d=. None by default.</summary>
    public string? Identity { get; init; }

    /// <summary>Checks the options once, when the signer is built.</summary>
    public void Validate()
    {
        if (Keys.Count == 0)
        {
            throw new ArgumentException("at least one signing key is required", nameof(Keys));
        }
        foreach (var k in Keys)
        {
            if (string.IsNullOrWhiteSpace(k.Domain) || !Dns.DnsName.IsValid(k.Domain))
            {
                throw new ArgumentException($"\"{k.Domain}\" is not a valid signing domain", nameof(Keys));
            }
            if (string.IsNullOrWhiteSpace(k.Selector) || !Dns.DnsName.IsValid(k.Selector + "._domainkey." + k.Domain))
            {
                throw new ArgumentException($"\"{k.Selector}\" is not a valid selector", nameof(Keys));
            }
            if (k.Key.KeyType == DkimKeyType.Rsa && k.Key.KeySize < 1024)
            {
                throw new ArgumentException("RSA keys shorter than 1024 bits are not accepted by verifiers (RFC 8301)", nameof(Keys));
            }
            if (Identity is not null && !Dns.DnsName.IsSubdomainOf(Identity[(Identity.LastIndexOf('@') + 1)..], k.Domain))
            {
                throw new ArgumentException($"i={Identity} is not within d={k.Domain}", nameof(Identity));
            }
        }
        if (!Headers.Any(h => h.Equals("From", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException("the signed headers must include From (RFC 6376 §5.4)", nameof(Headers));
        }
        if (Expiration is { } x && x <= TimeSpan.Zero)
        {
            throw new ArgumentException("the expiration must be positive", nameof(Expiration));
        }
    }
}
