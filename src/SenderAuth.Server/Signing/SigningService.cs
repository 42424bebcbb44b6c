using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Mail;
using SenderAuth.Parsing;

namespace SenderAuth.Server.Signing;

/// <summary>How a message left the signing API; also written to the SenderAuth-Signing response header.</summary>
public enum SignDisposition
{
    Signed,
    SignedWithProviderDomain,
    PassedUnsigned,
    Rejected,
}

public sealed record SignOutcome(SignDisposition Disposition, byte[]? Message, string Detail, string? Domain = null, string? Selector = null)
{
    /// <summary>Why the message is not signed; set exactly when <see cref="Disposition"/> is <see cref="SignDisposition.Rejected"/>.</summary>
    public SigningRefusal? Refusal { get; init; }

    public static SignOutcome Refused(SigningRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new(SignDisposition.Rejected, null, refusal.Detail) { Refusal = refusal };
    }

    public string HeaderValue => Disposition switch
    {
        SignDisposition.Signed => $"signed; d={Domain}; s={Selector}",
        SignDisposition.SignedWithProviderDomain => $"provider-domain; d={Domain}; s={Selector}; reason=\"{Detail}\"",
        SignDisposition.PassedUnsigned => $"unsigned; reason=\"{Detail}\"",
        _ => $"rejected; reason=\"{Detail}\"",
    };
}

/// <summary>
/// Signs messages with the key of their From domain. What it needs per domain (enabled?, policy, the opened
/// key) is cached for <see cref="SigningOptions.CacheSeconds"/>: the hot path touches neither the database nor
/// the master key. Changes made through this instance invalidate the cache at once; other instances' changes
/// are seen within the cache time.
/// </summary>
public sealed class SigningService(IServiceScopeFactory scopes, KeyStore keyStore, IOptions<ProviderOptions> providerOptions, IOptions<SigningOptions> signingOptions,
    TimeProvider time, ServerMetrics metrics, Reports.SignedMessageCounter counter)
{
    // Bounded: From domains are caller input. By count, 50,000 domains (the bound of the hand-rolled dictionary this
    // replaced), and by bytes: an entry's opened keys are estimated at 4 KiB each (an RSA-2048 private key with its CRT parts, or an
    // Ed25519 pair, and the signer around them), so 50,000 signing domains (about 210 MB) stay under 256 MiB and the
    // count bound is met first; a flood of unknown domains costs about 200 bytes an entry. Past a bound the cache
    // starts over, which costs one lookup per domain.
    private const int MaxCachedDomains = 50_000;
    private const long MaxCachedBytes = 256L * 1024 * 1024;
    private const int BytesPerKey = 4096;
    private const int BytesPerEntry = 128;
    private readonly BoundedParseCache<CacheEntry> _cache = new(MaxCachedDomains, MaxCachedBytes,
        sizeOf: static e => BytesPerEntry + ((long)(e.Signer?.KeyCount ?? 0) * BytesPerKey));
    private readonly ProviderOptions _providerOptions = providerOptions.Value;
    private readonly SigningOptions _signingOptions = signingOptions.Value;
    private volatile CacheEntry? _provider;

    public void Invalidate() => _cache.Clear();

    /// <summary>
    /// Signs a canary message for the domain with what signing uses right now (read fresh, not from the cache);
    /// null when the domain does not sign.
    /// </summary>
    public async Task<byte[]?> CanaryAsync(string domain, CancellationToken ct)
    {
        var entry = await LoadAsync(domain, time.GetUtcNow(), ct).ConfigureAwait(false);
        if (entry.Signer is null)
        {
            return null;
        }
        var message = System.Text.Encoding.ASCII.GetBytes(
            $"From: SenderAuth canary <canary@{domain}>\r\nTo: canary@{DnsName.Normalize(_providerOptions.Zone)}\r\nSubject: canary\r\n"
            + $"Date: {time.GetUtcNow():R}\r\nMessage-ID: <{Guid.NewGuid():N}@{domain}>\r\n\r\nA canary: signed with the active key and verified over DNS.\r\n");
        return entry.Signer.Sign(MailMessage.Parse(message));
    }

    /// <summary>
    /// Signs one whole message (the HTTP API). A message that is not signed comes back as a
    /// <see cref="SignDisposition.Rejected"/> outcome with its <see cref="SigningRefusal"/>, never as an exception.
    /// </summary>
    public async Task<SignOutcome> SignAsync(ReadOnlyMemory<byte> raw, Caller caller, string? institutionCode, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        MailMessage message;
        string fromDomain;
        try
        {
            message = MailMessage.Parse(raw);
            fromDomain = DkimSigner.FromDomain(message);
        }
        catch (MessageFormatException e)
        {
            return RefusedMessage(SigningRefusal.Unreadable(e.Message));
        }
        catch (DkimSignException e)
        {
            return RefusedMessage(SigningRefusal.Of(e));
        }
        var choice = await ChooseAsync(fromDomain, caller, institutionCode, null, ct).ConfigureAwait(false);
        switch (choice.Disposition)
        {
            case SignDisposition.Signed or SignDisposition.SignedWithProviderDomain:
                // The signer checks the From field again, as FromDomain did above: it cannot refuse here.
                var signed = choice.Signer!.Sign(message);
                AfterSigning(choice, SigningChannel.Api);
                return new SignOutcome(choice.Disposition, signed, choice.Detail, choice.Domain, choice.Selector);
            case SignDisposition.PassedUnsigned:
                return new SignOutcome(SignDisposition.PassedUnsigned, message.Raw.ToArray(), choice.Detail);
            default:
                return SignOutcome.Refused(choice.Refusal!);
        }
    }

    /// <summary>A message refused for its content: counted here (a policy refusal is counted where it is decided).</summary>
    private SignOutcome RefusedMessage(SigningRefusal refusal)
    {
        metrics.SignFailed(refusal.MetricReason);
        return SignOutcome.Refused(refusal);
    }

    /// <summary>
    /// THE decision for one message, shared by every signing interface (HTTP API, milter): the signer of the From
    /// domain when it signs, otherwise what the owning institution's unsigned-mail policy says. Counts the
    /// unsigned and rejected outcomes; signing itself is counted by <see cref="AfterSigning"/>.
    /// </summary>
    /// <param name="fromDomain">The RFC 5322 From domain (U-labels are turned into A-labels here).</param>
    /// <param name="caller">Who asks: an institution key sees only its institution's domains; the MTA is an operator.</param>
    /// <param name="institutionCode">Whose policy applies to a domain the caller does not own (operators only).</param>
    /// <param name="unknownDomainPolicy">The policy for a domain of no institution when no institution is named (the milter's setting); null: rejected.</param>
    public async Task<SigningChoice> ChooseAsync(string fromDomain, Caller caller, string? institutionCode, UnsignedMailPolicy? unknownDomainPolicy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fromDomain);
        ArgumentNullException.ThrowIfNull(caller);
        // Domains are stored as A-labels; an SMTPUTF8 From (müseum.example) must find its row too.
        if (NameRules.TryDomain(fromDomain, out var ascii, out _))
        {
            fromDomain = ascii;
        }
        var domain = await LookupAsync(fromDomain, ct).ConfigureAwait(false);
        if (domain is not null && caller.CanSee(domain.InstitutionId))
        {
            if (domain.Signer is not null)
            {
                return new SigningChoice(SignDisposition.Signed, domain.Signer, "", fromDomain, domain.Selector, domain.InstitutionId) { InstitutionCode = domain.InstitutionCode };
            }
            return await ApplyPolicyAsync(domain.Policy, domain.Reason, domain.InstitutionId, domain.InstitutionCode, ct).ConfigureAwait(false);
        }
        // An operator (or the MTA) naming no institution has no institution policy: no database read for that, which
        // matters for the milter, where mail of unknown domains (bounces, system mail) is routine.
        var owner = caller.IsOperator && institutionCode is null ? null : await CallerPolicyAsync(caller, institutionCode, ct).ConfigureAwait(false);
        var policy = owner?.Policy ?? (institutionCode is null ? unknownDomainPolicy : null);
        var reason = $"{fromDomain} is not a sender domain of {(caller.IsOperator ? "any institution" : "your institution")}";
        // The metrics' institution: the one whose policy decided (the caller's, or the one an operator named).
        var code = owner?.Code ?? institutionCode;
        return policy is null
            ? Rejected(reason + (caller.IsOperator && unknownDomainPolicy is null ? " (name an institution to apply its policy)" : ""), code)
            : await ApplyPolicyAsync(policy.Value, reason, null, code, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Called once after each message signed, by every interface: the one place signing is counted (metrics, and
    /// the per-domain, per-selector, per-day counts reports are reconciled with). <paramref name="channel"/> says
    /// which interface signed.
    /// </summary>
    public void AfterSigning(SigningChoice choice, SigningChannel channel)
    {
        ArgumentNullException.ThrowIfNull(choice);
        metrics.Signed(choice.Signatures, channel == SigningChannel.Milter ? "milter" : "api", choice.InstitutionCode, choice.Disposition == SignDisposition.SignedWithProviderDomain);
        // Only signatures aligned with the From domain: provider-domain signatures are not in the domain's reports' DKIM alignment.
        if (choice.Disposition == SignDisposition.Signed && choice.Domain is { } domain && choice.Selector is { } selector)
        {
            counter.Add(domain, selector);
        }
    }

    private async Task<SigningChoice> ApplyPolicyAsync(UnsignedMailPolicy policy, string reason, long? institutionId, string? institutionCode, CancellationToken ct)
    {
        switch (policy)
        {
            case UnsignedMailPolicy.PassUnsigned:
                metrics.PassedUnsigned(institutionCode);
                return new SigningChoice(SignDisposition.PassedUnsigned, null, reason, null, null, institutionId) { InstitutionCode = institutionCode };
            case UnsignedMailPolicy.SignWithProviderDomain:
                var provider = await ProviderSignerAsync(ct).ConfigureAwait(false);
                if (provider.Signer is null)
                {
                    return Rejected($"{reason}; the provider's own key is not served yet", institutionCode);
                }
                return new SigningChoice(SignDisposition.SignedWithProviderDomain, provider.Signer, reason, DnsName.Normalize(_providerOptions.Zone), _providerOptions.OwnSelector, institutionId) { InstitutionCode = institutionCode };
            default:
                return Rejected(reason, institutionCode);
        }
    }

    private SigningChoice Rejected(string reason, string? institutionCode)
    {
        var refusal = new SigningRefusal(SigningRefusalKind.Policy, reason);
        metrics.SignFailed(refusal.MetricReason, institutionCode);
        return new SigningChoice(SignDisposition.Rejected, null, reason, null, null, null) { Refusal = refusal };
    }

    private async Task<(UnsignedMailPolicy Policy, string Code)?> CallerPolicyAsync(Caller caller, string? code, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var query = db.Institutions.AsNoTracking();
        query = caller.InstitutionId is { } id ? query.Where(i => i.Id == id) : code is null ? query.Where(_ => false) : query.Where(i => i.Code == code);
        var found = await query.Select(i => new { i.UnsignedPolicy, i.Code }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return found is null ? null : (found.UnsignedPolicy, found.Code);
    }

    private async Task<CacheEntry?> LookupAsync(string domain, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGet(domain, out var entry) && entry.Expires > now)
        {
            return entry.Found ? entry : null;
        }
        entry = await LoadAsync(domain, now, ct).ConfigureAwait(false);
        _cache.Set(domain, entry);
        return entry.Found ? entry : null;
    }

    private async Task<CacheEntry> LoadAsync(string name, DateTimeOffset now, CancellationToken ct)
    {
        var expires = now.AddSeconds(_signingOptions.CacheSeconds);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var domain = await db.Domains.AsNoTracking().Include(d => d.Institution).FirstOrDefaultAsync(d => d.Name == name, ct).ConfigureAwait(false);
        if (domain?.Institution is not { } institution)
        {
            return new CacheEntry(expires, false, 0, UnsignedMailPolicy.Reject, null, null, "", null);
        }
        if (domain.SigningEnabled && domain.SigningSuspended)
        {
            return new CacheEntry(expires, true, institution.Id, institution.UnsignedPolicy, null, null, $"signing is suspended for {name}: {domain.StateReason}", institution.Code);
        }
        if (!domain.SigningEnabled)
        {
            return new CacheEntry(expires, true, institution.Id, institution.UnsignedPolicy, null, null, $"signing is not enabled for {name}", institution.Code);
        }
        var targets = _providerOptions.KeyTargets(institution.Code, name).Select(t => t.Target).ToList();
        var key = await db.Keys.AsNoTracking()
            .Where(k => k.InstitutionId == institution.Id && targets.Contains(k.TargetName) && k.State == DkimKeyState.Active && k.Algorithm == DkimKeyType.Rsa)
            .OrderByDescending(k => k.ActivatedAt).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (key is null)
        {
            return new CacheEntry(expires, true, institution.Id, institution.UnsignedPolicy, null, null, $"{name} has no active key", institution.Code);
        }
        List<DkimSigningKey> signingKeys = [new DkimSigningKey(name, key.Selector, keyStore.Open(key))];
        if (domain.Ed25519Enabled && _providerOptions.AllowEd25519 && domain.Ed25519DelegatedAt is not null)
        {
            // The second signature (RFC 8463), only once a check of THIS domain found its selectors delegated (the
            // pair is the institution's: active for another domain says nothing about this one's CNAMEs) and the
            // pair's key is active; the engine's signer hashes the body once for both.
            var edTargets = _providerOptions.Ed25519KeyTargets(institution.Code, name).Select(t => t.Target).ToList();
            var ed = await db.Keys.AsNoTracking()
                .Where(k => k.InstitutionId == institution.Id && edTargets.Contains(k.TargetName) && k.State == DkimKeyState.Active && k.Algorithm == DkimKeyType.Ed25519)
                .OrderByDescending(k => k.ActivatedAt).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (ed is not null)
            {
                signingKeys.Add(new DkimSigningKey(name, ed.Selector, keyStore.Open(ed)));
            }
        }
        var signer = SignerFor(signingKeys, time);
        return new CacheEntry(expires, true, institution.Id, institution.UnsignedPolicy, signer, key.Selector, "", institution.Code);
    }

    private async Task<CacheEntry> ProviderSignerAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_provider is { } cached && cached.Expires > now)
        {
            return cached;
        }
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var key = await db.Keys.AsNoTracking()
            .Where(k => k.InstitutionId == null && (k.State == DkimKeyState.Published || k.State == DkimKeyState.Active))
            .OrderByDescending(k => k.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var signer = key is null ? null
            : SignerFor([new DkimSigningKey(DnsName.Normalize(_providerOptions.Zone), key.Selector, keyStore.Open(key))], time);
        return _provider = new CacheEntry(now.AddSeconds(_signingOptions.CacheSeconds), key is not null, 0, UnsignedMailPolicy.Reject, signer, key?.Selector, "", null);
    }

    /// <summary>
    /// The signer for one domain's keys as every interface signs with it (the engine's defaults: relaxed/relaxed, its
    /// header list with over-signing, t= from <paramref name="time"/>; RSA first, then Ed25519, one pass over the
    /// body). One definition, so the golden test of the dual signature (DualSignatureGoldenTests) proves the server's output.
    /// </summary>
    internal static DkimSigner SignerFor(IReadOnlyList<DkimSigningKey> keys, TimeProvider time) => new(new DkimSignerOptions { Keys = keys }, time);

    private sealed record CacheEntry(DateTimeOffset Expires, bool Found, long InstitutionId, UnsignedMailPolicy Policy, DkimSigner? Signer, string? Selector, string Reason, string? InstitutionCode);
}

/// <summary>Which interface signed a message (a tag on the signature counter).</summary>
public enum SigningChannel
{
    Api,
    Milter,
}

/// <summary>
/// What to do with a message of one From domain: sign with <see cref="Signer"/> (d= <see cref="Domain"/>,
/// s= <see cref="Selector"/>), pass it unsigned, or reject it; <see cref="Detail"/> says why when not signed normally.
/// </summary>
public sealed record SigningChoice(SignDisposition Disposition, DkimSigner? Signer, string Detail, string? Domain, string? Selector, long? InstitutionId)
{
    /// <summary>Signatures a signed message gets (one per key of the signer).</summary>
    public int Signatures => Signer?.KeyCount ?? 0;

    /// <summary>The code of the institution whose domain or policy decided, when known (the metrics' institution label).</summary>
    public string? InstitutionCode { get; init; }

    /// <summary>Why the message is refused; set exactly when <see cref="Disposition"/> is <see cref="SignDisposition.Rejected"/>.</summary>
    public SigningRefusal? Refusal { get; init; }
}
