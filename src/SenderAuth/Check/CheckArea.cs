namespace SenderAuth.Check;

/// <summary>The areas a domain check covers, each with its own verdict.</summary>
public enum CheckArea
{
    /// <summary>The SPF record: present, one, including the provider, passing for its networks, within lookup limits.</summary>
    Spf,
    /// <summary>The DKIM selectors: delegated to the provider by CNAME and resolving to a key.</summary>
    Dkim,
    /// <summary>The DMARC record: present, enforcing, reporting to the provider where asked.</summary>
    Dmarc,
    /// <summary>The custom MAIL FROM (Return-Path) domain: its MX and SPF, for SPF alignment under DMARC.</summary>
    MailFrom,
    /// <summary>Whether receivers can trust the domain's answers: DNSSEC secure, insecure or bogus.</summary>
    Dnssec,
}
