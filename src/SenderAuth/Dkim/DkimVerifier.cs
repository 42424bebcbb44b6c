using System.Security.Cryptography;
using SenderAuth.Dns;
using SenderAuth.Mail;

namespace SenderAuth.Dkim;

/// <summary>
/// Verifies every DKIM-Signature of a message (RFC 6376 §6), each with its own result and reason.
/// Keys are fetched through <see cref="IDnsResolver"/> and parsed once per record text (<see cref="DkimKeyRecord.Parse"/>).
/// Thread-safe.
/// </summary>
/// <remarks>
/// Security: a message with several From fields (smuggled ones included) never passes: a receiver could show
/// the unsigned one. A signature over a field that an ambiguous header line touches (<see cref="MailMessage.Ambiguities"/>)
/// is permerror <c>ambiguous-header</c>. rsa-sha1 and RSA keys under 1024 bits get "policy" (RFC 8301). With l=, the unsigned
/// remainder is reported, or failed by option.
/// </remarks>
public sealed class DkimVerifier
{
    private readonly IDnsResolver _resolver;
    private readonly DkimVerifierOptions _options;
    private readonly TimeProvider _time;

    /// <summary>A verifier that fetches keys through <paramref name="resolver"/>.</summary>
    /// <param name="resolver">Where key records come from; wrap it in a cache for a busy receiver (parsed keys are cached
    /// by record text anyway).</param>
    /// <param name="options">Limits and policy (minimum RSA size, rsa-sha1, l=, clock skew); validated here.</param>
    /// <param name="timeProvider">Clock for t= and x=; the system's by default.</param>
    public DkimVerifier(IDnsResolver resolver, DkimVerifierOptions? options = null, TimeProvider? timeProvider = null)
    {
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        _options = options ?? new DkimVerifierOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Parses <paramref name="message"/> (headers and body, CRLF or bare LF) and verifies every DKIM-Signature
    /// field in it. A message that cannot be parsed is one permerror outcome, not an exception; only cancellation throws.</summary>
    public async Task<DkimVerification> VerifyAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        MailMessage parsed;
        try
        {
            parsed = MailMessage.Parse(message);
        }
        catch (MessageFormatException e)
        {
            return new DkimVerification([Outcome(DkimResult.PermError, DkimReason.MalformedMessage, e.Message)], 0, []);
        }
        return await VerifyAsync(parsed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Verifies every DKIM-Signature field of an already parsed message, in header order, up to the
    /// configured maximum. Failures are outcomes; only cancellation throws.</summary>
    public async Task<DkimVerification> VerifyAsync(MailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var fromCount = message.All("From").Count();
        var bodyHashes = new Dictionary<(DkimCanonicalization, HashAlgorithmName, long), (byte[] Hash, long Length)>();
        var outcomes = new List<DkimSignatureOutcome>();
        foreach (var field in message.All("DKIM-Signature"))
        {
            if (outcomes.Count >= _options.MaxSignatures)
            {
                outcomes.Add(Outcome(DkimResult.PermError, DkimReason.TooManySignatures, $"more than {_options.MaxSignatures} signatures; the rest were not checked"));
                break;
            }
            outcomes.Add(await VerifyOneAsync(message, field, fromCount, bodyHashes, cancellationToken).ConfigureAwait(false));
        }
        return new DkimVerification(outcomes, fromCount, message.Ambiguities);
    }

    private async Task<DkimSignatureOutcome> VerifyOneAsync(MailMessage message, MessageHeaderField field, int fromCount,
        Dictionary<(DkimCanonicalization, HashAlgorithmName, long), (byte[] Hash, long Length)> bodyHashes, CancellationToken ct)
    {
        var sig = DkimSignature.Parse(field.Value, out var parseReason, out var parseError);
        if (sig is null)
        {
            return Outcome(DkimResult.PermError, parseReason, parseError!);
        }
        var o = new DkimSignatureOutcome
        {
            Result = DkimResult.PermError,
            Reason = DkimReason.MalformedSignature,
            Detail = string.Empty,
            Domain = sig.Domain,
            Selector = sig.Selector,
            Identity = sig.Identity,
            Algorithm = sig.Algorithm,
            SignaturePrefix = sig.SignatureBase64[..Math.Min(8, sig.SignatureBase64.Length)],
        };
        var check = CheckTags(sig);
        if (check is not null)
        {
            return o with { Result = check.Value.Result, Reason = check.Value.Reason, Detail = check.Value.Detail };
        }

        // The one ambiguity rule (MailMessage.Ambiguities): a line that parsers read differently, touching a signed
        // field, means the signature may verify over one reading while a client shows another. Checked before the key
        // is fetched: no reading of this message is trustworthy, whatever the key says.
        if (message.AmbiguityTouching(sig.SignedHeaders) is { } ambiguity)
        {
            return o with
            {
                Result = DkimResult.PermError,
                Reason = DkimReason.AmbiguousHeader,
                Ambiguity = ambiguity,
                Detail = $"{DkimReason.AmbiguousHeader.Code()}: {ambiguity.Describe()}; a signed field may read differently to a mail client",
            };
        }

        var (key, keyFailure) = await FetchKeyAsync(sig, ct).ConfigureAwait(false);
        if (key is null)
        {
            return o with { Result = keyFailure!.Value.Result, Reason = keyFailure.Value.Reason, Detail = keyFailure.Value.Detail };
        }
        o = o with { KeySize = key.PublicKey!.KeySize, Testing = key.Testing };
        if (key.PublicKey.KeyType == DkimKeyType.Rsa && key.PublicKey.KeySize < _options.MinimumRsaKeyBits)
        {
            return o with { Result = DkimResult.Policy, Reason = DkimReason.KeyTooShort, Detail = $"{key.PublicKey.KeySize}-bit RSA key; at least {_options.MinimumRsaKeyBits} required (RFC 8301)" };
        }

        var limit = sig.BodyLength ?? -1;
        if (!bodyHashes.TryGetValue((sig.BodyCanonicalization, sig.Hash, limit), out var body))
        {
            using var hasher = new DkimBodyHasher(sig.BodyCanonicalization, sig.Hash, limit);
            hasher.Append(message.Body.Span);
            body = (hasher.Complete(), hasher.CanonicalLength);
            bodyHashes[(sig.BodyCanonicalization, sig.Hash, limit)] = body;
        }
        if (sig.BodyLength is { } l && l > body.Length)
        {
            return o with { Result = DkimResult.Fail, Reason = DkimReason.BodyHashMismatch, Detail = $"l={l} is longer than the body ({body.Length} canonical bytes): content was removed" };
        }
        if (!CryptographicOperations.FixedTimeEquals(body.Hash, sig.BodyHash))
        {
            return o with { Result = DkimResult.Fail, Reason = DkimReason.BodyHashMismatch, Detail = "the body hash does not match: the body was changed after signing" };
        }
        var digest = DkimHeaderHasher.Digest(message, sig.SignedHeaders, sig.HeaderCanonicalization, field.Raw.Span, sig.Hash);
        if (!key.PublicKey.VerifyDigest(digest, sig.Hash, sig.Signature))
        {
            return o with { Result = DkimResult.Fail, Reason = DkimReason.SignatureMismatch, Detail = "the signature does not verify: a signed header was changed, or the key does not match" };
        }
        if (fromCount > 1)
        {
            return o with { Result = DkimResult.Policy, Reason = DkimReason.MultipleFrom, Detail = $"the signature verifies, but the message has {fromCount} From fields: a reader could be shown an unsigned one" };
        }
        var unsigned = sig.BodyLength is { } signedLength ? body.Length - signedLength : 0;
        if (unsigned > 0 && _options.FailOnUnsignedBodyRemainder)
        {
            return o with { Result = DkimResult.Fail, Reason = DkimReason.UnsignedBodyRemainder, UnsignedBodyBytes = unsigned, Detail = $"l= leaves {unsigned} body bytes unsigned" };
        }
        var detail = unsigned > 0 ? $"verified; l= leaves {unsigned} body bytes unsigned (anyone could have added them)" : "verified";
        return o with { Result = DkimResult.Pass, Reason = DkimReason.Verified, Detail = detail, UnsignedBodyBytes = unsigned };
    }

    private (DkimResult Result, DkimReason Reason, string Detail)? CheckTags(DkimSignature sig)
    {
        var at = sig.Identity.LastIndexOf('@');
        var identityDomain = at < 0 ? string.Empty : sig.Identity[(at + 1)..];
        if (at < 0 || !DnsName.IsSubdomainOf(identityDomain, sig.Domain))
        {
            return (DkimResult.PermError, DkimReason.IdentityNotInDomain, $"i={sig.Identity} is not within d={sig.Domain} (RFC 6376 §3.5)");
        }
        if (!DnsName.IsValid(sig.Domain) || !DnsName.IsValid($"{sig.Selector}._domainkey.{sig.Domain}"))
        {
            return (DkimResult.PermError, DkimReason.MalformedSignature, $"d={sig.Domain} or s={sig.Selector} is not a valid name");
        }
        if (sig.Algorithm == DkimAlgorithm.RsaSha1 && !_options.AllowSha1)
        {
            return (DkimResult.Policy, DkimReason.Sha1Refused, "rsa-sha1 is not accepted (RFC 8301 §3.1)");
        }
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (sig.Expiration is { } x)
        {
            if (sig.Timestamp is { } t0 && x < t0)
            {
                return (DkimResult.PermError, DkimReason.MalformedSignature, $"x={x} is before t={t0} (RFC 6376 §3.5)");
            }
            if (x < now)
            {
                return (DkimResult.PermError, DkimReason.Expired, $"the signature expired at {DateTimeOffset.FromUnixTimeSeconds(x):u}");
            }
        }
        if (sig.Timestamp is { } t && t > now + (long)_options.ClockSkew.TotalSeconds)
        {
            return (DkimResult.PermError, DkimReason.FutureTimestamp, $"t={t} is in the future ({DateTimeOffset.FromUnixTimeSeconds(Math.Min(t, 253402300799)):u})");
        }
        return null;
    }

    private async Task<(DkimKeyRecord? Key, (DkimResult Result, DkimReason Reason, string Detail)? Failure)> FetchKeyAsync(DkimSignature sig, CancellationToken ct)
    {
        var name = $"{sig.Selector}._domainkey.{sig.Domain}";
        var answer = await _resolver.QueryAsync(name, DnsRecordType.Txt, ct).ConfigureAwait(false);
        if (answer.IsTemporaryFailure)
        {
            return (null, (DkimResult.TempError, DkimReason.DnsFailure, $"key lookup {name}: {(answer.Status == DnsStatus.Timeout ? "timeout" : "server failure")}"));
        }
        var texts = answer.Of<TxtRecord>().Select(t => t.Text).ToList();
        if (texts.Count == 0)
        {
            return (null, (DkimResult.PermError, DkimReason.KeyNotFound, $"no key record at {name}"));
        }
        string? error = null;
        foreach (var text in texts)
        {
            var key = DkimKeyRecord.Parse(text, out error);
            if (key is null)
            {
                continue;
            }
            if (key.IsRevoked)
            {
                return (null, (DkimResult.PermError, DkimReason.KeyRevoked, $"the key at {name} is revoked (empty p=)"));
            }
            if (key.KeyType != sig.KeyType)
            {
                return (null, (DkimResult.PermError, DkimReason.KeyAlgorithmMismatch, $"the key at {name} is {key.KeyType}, the signature uses {DkimSignature.AlgorithmToken(sig.Algorithm)}"));
            }
            var hashName = sig.Hash == HashAlgorithmName.SHA1 ? "sha1" : "sha256";
            if (key.HashAlgorithms.Count > 0 && !key.HashAlgorithms.Contains(hashName, StringComparer.OrdinalIgnoreCase))
            {
                return (null, (DkimResult.PermError, DkimReason.KeyHashNotAllowed, $"the key at {name} allows h={string.Join(':', key.HashAlgorithms)}, not {hashName}"));
            }
            if (!key.ServiceTypes.Any(s => s is "*" || s.Equals("email", StringComparison.OrdinalIgnoreCase)))
            {
                return (null, (DkimResult.PermError, DkimReason.KeyServiceNotEmail, $"the key at {name} is not for email (s={string.Join(':', key.ServiceTypes)})"));
            }
            if (key.StrictIdentity && !string.Equals(sig.Identity[(sig.Identity.LastIndexOf('@') + 1)..], sig.Domain, StringComparison.OrdinalIgnoreCase))
            {
                return (null, (DkimResult.PermError, DkimReason.KeyStrictIdentityMismatch, $"the key at {name} has t=s, so i= must be exactly in d={sig.Domain}"));
            }
            return (key, null);
        }
        return (null, (DkimResult.PermError, DkimReason.MalformedKey, $"the key record at {name} is invalid: {error}"));
    }

    private static DkimSignatureOutcome Outcome(DkimResult result, DkimReason reason, string detail) =>
        new() { Result = result, Reason = reason, Detail = detail };
}
