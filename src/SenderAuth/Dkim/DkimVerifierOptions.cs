namespace SenderAuth.Dkim;

/// <summary>Verifier policy. Defaults follow RFC 8301 and RFC 6376 §6.1.</summary>
public sealed record DkimVerifierOptions
{
    /// <summary>RSA keys shorter than this get "policy" (RFC 8301 §3.2: at least 1024).</summary>
    public int MinimumRsaKeyBits { get; init; } = 1024;

    /// <summary>rsa-sha1 signatures get "policy" unless this is set (RFC 8301 §3.1).</summary>
    public bool AllowSha1 { get; init; }

    /// <summary>With l=, body bytes beyond the signed length make the result fail instead of being reported.</summary>
    public bool FailOnUnsignedBodyRemainder { get; init; }

    /// <summary>Tolerance for t= in the future (clocks drift); default 5 minutes.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Signatures examined per message; more are reported as not checked. Default 10.</summary>
    public int MaxSignatures { get; init; } = 10;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a limit is out of range; the verifier calls it at construction.</summary>
    public void Validate()
    {
        if (MinimumRsaKeyBits is < 512 or > 8192 || MaxSignatures is < 1 or > 100 || ClockSkew < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DkimVerifierOptions), "DKIM verifier options out of range");
        }
    }
}
