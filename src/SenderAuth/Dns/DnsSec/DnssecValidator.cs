using System.Collections.Concurrent;

namespace SenderAuth.Dns.DnsSec;

/// <summary>
/// DNSSEC validation in our own code (RFC 4033-4035, RFC 5155): fetches the answer with DO and CD, then walks the
/// chain of trust from the signer's DNSKEY RRset, through each DS and the parent's keys, up to a trust anchor.
/// Secure when every record set of the answer (each CNAME of a chain included) verifies; Insecure when a signed
/// NSEC/NSEC3 of a parent proves that a zone on the way has no DS (or its DS use only algorithms we lack); Bogus with
/// the reason otherwise; Indeterminate when no anchor covers the name or an answer does not come.
/// </summary>
/// <remarks>
/// Written here rather than taken from ARSoft.Tools.Net 3.6.1 (which the server already uses): its validator
/// (<c>DnsSecValidator</c>, internal, behind <c>DnsSecRecursiveDnsResolver</c> and
/// <c>SelfValidatingInternalDnsSecStubResolver</c>) only starts from the root's keys in its hint store, so it cannot
/// validate against a test anchor at <c>dnssec.test.</c>; it drops expired signatures before checking them, so a
/// bogus answer comes out without a reason; and it reads the clock from <c>DateTime.Now</c>, not a
/// <see cref="TimeProvider"/>. Wire parsing is ours too (<see cref="WireMessage"/>), so the engine keeps one DNS
/// client library (DnsClient) and does not depend on ARSoft.
/// What is checked: RRSIG validity period, key tag, algorithm, signer name and signature; DS digests (SHA-256 and
/// SHA-384; SHA-1 only where no SHA-256/384 DS is given for the key, RFC 4509 §3); DNSKEY zone and revoke flags;
/// denials by NSEC (NODATA, NXDOMAIN with the wildcard) and NSEC3 (matching hash, closest-encloser proof, opt-out
/// for DS); wildcard answers need a signed record that covers the name. Not checked: DNAME answers
/// (Indeterminate), NSEC3 iterations beyond 2,500 (bogus), RRSIG TTL clamping (TTLs are not used).
/// </remarks>
public sealed class DnssecValidator
{
    private const int MaxChain = 8;
    private const int MaxNsec3Iterations = 2500;

    /// <summary>
    /// Most signature verifications for one RRset: 8. Every RRSIG may name a key tag that many DNSKEYs share, so
    /// without a bound one answer costs signatures × keys public-key operations (KeyTrap, CVE-2023-50387); real
    /// zones need one or two (a key rollover).
    /// </summary>
    internal const int MaxVerificationsPerRrset = 8;
    private readonly IDnssecTransport _transport;
    private readonly TrustAnchors _anchors;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<WireName, Lazy<Task<Keys>>> _keys = new();

    /// <summary>
    /// A validator that asks the servers of <paramref name="network"/> (the system's when none are configured),
    /// over UDP and then TCP when an answer is truncated, with the retries and timeout those options give.
    /// </summary>
    /// <param name="anchors">Trust anchors; <see cref="TrustAnchors.Root"/> for the public DNS.</param>
    /// <param name="network">Servers, port, timeout and retries; the defaults of <see cref="NetworkDnsResolverOptions"/> when null.</param>
    /// <param name="time">Clock for signature validity; the system's by default.</param>
    /// <remarks>
    /// The upstream need not validate: queries set CD, so a validating upstream hands over what it would fail and the
    /// validator can say why it is bogus. Keys proven for a zone are kept for the life of the validator, so reuse
    /// one instance.
    /// </remarks>
    public DnssecValidator(TrustAnchors anchors, NetworkDnsResolverOptions? network = null, TimeProvider? time = null)
        : this(new NetworkDnssecTransport(network), anchors, time)
    {
    }

    /// <param name="transport">Where answers come from (asked with DO and CD). Internal: the wire types it speaks
    /// are plumbing; tests and the bench pass a scripted or a pointed transport.</param>
    /// <param name="anchors">Trust anchors; <see cref="TrustAnchors.Root"/> for the public DNS.</param>
    /// <param name="time">Clock for signature validity; the system's by default.</param>
    internal DnssecValidator(IDnssecTransport transport, TrustAnchors anchors, TimeProvider? time = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _anchors = anchors ?? throw new ArgumentNullException(nameof(anchors));
        _time = time ?? TimeProvider.System;
    }

    private sealed record Step(DnssecStatus Status, DnssecReason Reason, string? Detail, WireName? Zone, bool Signed = false);

    private sealed record Keys(Step Outcome, List<DnskeyData> Trusted);

    /// <summary>Validates the answer for <paramref name="name"/>/<paramref name="type"/>. Failures are data; cancellation throws.</summary>
    public async ValueTask<DnssecValidation> ValidateAsync(string name, ushort type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        WireName qname;
        try
        {
            qname = WireName.Parse(name);
        }
        catch (FormatException)
        {
            return new DnssecValidation(name, DnssecStatus.Indeterminate, DnssecReason.NoAnswer, "not a valid domain name");
        }
        var text = DnsName.Normalize(name);
        if (_anchors.Closest(qname) is null)
        {
            return new DnssecValidation(text, DnssecStatus.Indeterminate, DnssecReason.NoTrustAnchor, $"no trust anchor is at or above {qname}");
        }
        var steps = new List<Step>();
        var current = qname;
        var msg = await _transport.QueryAsync(current, type, cancellationToken).ConfigureAwait(false);
        for (var hops = 0; ; hops++)
        {
            if (msg is null)
            {
                steps.Add(new Step(DnssecStatus.Indeterminate, DnssecReason.NoAnswer, $"no answer for {DnssecTypes.Name(type)} {current}", null));
                break;
            }
            if (hops == MaxChain)
            {
                steps.Add(new Step(DnssecStatus.Indeterminate, DnssecReason.NoAnswer, $"CNAME chain longer than {MaxChain}", null));
                break;
            }
            var rrset = Rrset(msg.Answers, current, type);
            if (rrset.Count > 0)
            {
                steps.Add(await RrsetAsync(rrset, msg, parentSide: false, cancellationToken).ConfigureAwait(false));
                break;
            }
            var cname = Rrset(msg.Answers, current, DnssecTypes.Cname);
            if (cname.Count > 0)
            {
                steps.Add(await RrsetAsync(cname, msg, parentSide: false, cancellationToken).ConfigureAwait(false));
                var pos = 0;
                current = RdataNames.Read(cname[0].Data, ref pos);
                if (!msg.Answers.Any(r => r.Owner.Equals(current)))
                {
                    msg = await _transport.QueryAsync(current, type, cancellationToken).ConfigureAwait(false);
                }
                continue;
            }
            if (msg.Answers.Any(r => r.Type == 39))
            {
                steps.Add(new Step(DnssecStatus.Indeterminate, DnssecReason.NoAnswer, "DNAME answers are not validated", null));
                break;
            }
            steps.Add(await DenialAsync(current, type, msg, cancellationToken).ConfigureAwait(false));
            break;
        }
        var decisive = steps.FirstOrDefault(s => s.Status == DnssecStatus.Bogus)
            ?? steps.FirstOrDefault(s => s.Status == DnssecStatus.Indeterminate)
            ?? steps.FirstOrDefault(s => s.Status == DnssecStatus.Insecure)
            ?? steps[0];
        return new DnssecValidation(text, decisive.Status, decisive.Reason, decisive.Detail)
        {
            Zone = decisive.Zone is { } z ? DnsName.Normalize(z.Text) : null,
            ZoneSigned = decisive.Signed,
        };
    }

    private static List<WireRecord> Rrset(IEnumerable<WireRecord> records, WireName owner, ushort type) =>
        records.Where(r => r.Type == type && r.Owner.Equals(owner)).ToList();

    private static List<RrsigData> Signatures(IEnumerable<WireRecord> records, WireName owner, ushort type) =>
        records.Where(r => r.Type == DnssecTypes.Rrsig && r.Owner.Equals(owner)).Select(r => RrsigData.Read(r.Owner, r.Data))
            .Where(s => s.TypeCovered == type).ToList();

    /// <summary>One positive record set: its signer's keys (up the chain), its signature, and for wildcards the proof
    /// that no closer name exists. <paramref name="parentSide"/> for DS, which the parent signs.</summary>
    private async Task<Step> RrsetAsync(List<WireRecord> rrset, WireMessage msg, bool parentSide, CancellationToken ct)
    {
        var owner = rrset[0].Owner;
        var type = rrset[0].Type;
        var what = $"{DnssecTypes.Name(type)} {owner}";
        List<RrsigData> sigs;
        try
        {
            sigs = Signatures(msg.Answers, owner, type);
        }
        catch (FormatException e)
        {
            return new Step(DnssecStatus.Bogus, DnssecReason.BadSignature, $"malformed RRSIG for {what}: {e.Message}", null, true);
        }
        var signer = sigs.Select(s => s.Signer)
            .Where(s => owner.IsAtOrBelow(s) && (!parentSide || !s.Equals(owner)))
            .OrderByDescending(s => s.LabelCount).FirstOrDefault();
        if (signer is null)
        {
            return sigs.Count == 0
                ? await UnsignedAsync(parentSide ? owner.Parent() : owner, what, ct, parentSide ? owner : null).ConfigureAwait(false)
                : new Step(DnssecStatus.Bogus, DnssecReason.NoMatchingKey, $"the RRSIGs of {what} name a signer that is not a zone above it", null, true);
        }
        var keys = await KeysAsync(signer, ct).ConfigureAwait(false);
        if (keys.Outcome.Status != DnssecStatus.Secure)
        {
            return keys.Outcome with { Signed = true };
        }
        var v = Verify(rrset, sigs.Where(s => s.Signer.Equals(signer)).ToList(), keys.Trusted);
        if (v.Reason != DnssecReason.None)
        {
            return new Step(DnssecStatus.Bogus, v.Reason, v.Detail, signer, true);
        }
        if (v.WildcardLabels is { } labels)
        {
            var denial = VerifyDenialRecords(msg.Authority, signer, keys.Trusted, out var nsecs, out var nsec3s);
            if (denial is not null)
            {
                return denial;
            }
            var nextCloser = owner.Suffix(labels + 1);
            var proven = nsecs.Any(n => n.Covers(owner))
                || (Nsec3Hasher(nsec3s, signer) is { } hash && hash(nextCloser) is { } h && nsec3s.Any(n => n.Covers(h)));
            if (!proven)
            {
                return new Step(DnssecStatus.Bogus, DnssecReason.BadDenial, $"{what} is a wildcard answer without a signed proof that the name itself does not exist", signer, true);
            }
        }
        return new Step(DnssecStatus.Secure, DnssecReason.None, null, signer, true);
    }

    /// <summary>Records that came without any RRSIG: fine when the zone holding them is provably insecure, bogus when
    /// that zone's chain of trust is secure (the signatures were stripped or never made).</summary>
    /// <param name="below">When set, the zone found must be strictly above it: the walk only ever goes up, so a server
    /// naming a lower zone cannot make the validator wait for its own result.</param>
    private async Task<Step> UnsignedAsync(WireName name, string what, CancellationToken ct, WireName? below = null)
    {
        var apex = await ApexAsync(name, ct).ConfigureAwait(false);
        if (apex is not null && below is not null && (!below.IsAtOrBelow(apex) || apex.Equals(below)))
        {
            return new Step(DnssecStatus.Indeterminate, DnssecReason.NoAnswer, $"{what} is unsigned and the server names {apex}, not a zone above {below}, as its zone", null);
        }
        if (apex is null)
        {
            return new Step(DnssecStatus.Indeterminate, DnssecReason.NoAnswer, $"{what} is unsigned and the zone holding it (SOA) was not found", null);
        }
        var keys = await KeysAsync(apex, ct).ConfigureAwait(false);
        return keys.Outcome.Status == DnssecStatus.Secure
            ? new Step(DnssecStatus.Bogus, DnssecReason.MissingRrsig, $"{what} came without an RRSIG, but the zone {apex} has a secure chain of trust", apex, true)
            // The unsigned zone itself decided it (no DS): unsigned. A zone higher up that decided it keeps its own flag.
            : keys.Outcome with { Signed = keys.Outcome.Zone is { } z && !z.Equals(apex) && keys.Outcome.Signed };
    }

    /// <summary>The apex of the zone holding a name: the owner of the SOA that comes back for it; for an alias, its parent's.</summary>
    private async Task<WireName?> ApexAsync(WireName name, CancellationToken ct)
    {
        for (var n = name; ; n = n.Parent())
        {
            var msg = await _transport.QueryAsync(n, DnssecTypes.Soa, ct).ConfigureAwait(false);
            if (msg is null)
            {
                return null;
            }
            if (msg.Answers.Any(r => r.Type == DnssecTypes.Cname && r.Owner.Equals(n)) && n.LabelCount > 0)
            {
                continue;
            }
            var soa = msg.Answers.LastOrDefault(r => r.Type == DnssecTypes.Soa) ?? msg.Authority.FirstOrDefault(r => r.Type == DnssecTypes.Soa);
            return soa?.Owner;
        }
    }

    /// <summary>The trusted DNSKEYs of a zone, once per validator (concurrent callers share the work).</summary>
    private async Task<Keys> KeysAsync(WireName zone, CancellationToken ct)
    {
        while (true)
        {
            var lazy = _keys.GetOrAdd(zone, z => new Lazy<Task<Keys>>(() => KeysCoreAsync(z, ct)));
            try
            {
                var keys = await lazy.Value.ConfigureAwait(false);
                if (keys.Outcome.Status == DnssecStatus.Indeterminate)
                {
                    // A timeout is not kept: the next name under this zone asks again.
                    _keys.TryRemove(new KeyValuePair<WireName, Lazy<Task<Keys>>>(zone, lazy));
                }
                return keys;
            }
            catch (OperationCanceledException)
            {
                _keys.TryRemove(new KeyValuePair<WireName, Lazy<Task<Keys>>>(zone, lazy));
                if (ct.IsCancellationRequested)
                {
                    throw;
                }
                // Another caller started the lookup and was cancelled: this one is not, so it asks itself.
            }
        }
    }

    private async Task<Keys> KeysCoreAsync(WireName zone, CancellationToken ct)
    {
        var (anchorDs, anchorKeys) = _anchors.For(zone);
        if (anchorDs.Count + anchorKeys.Count > 0)
        {
            return await DnskeyAsync(zone, anchorDs, anchorKeys, "the trust anchor", ct, anchored: true).ConfigureAwait(false);
        }
        if (_anchors.Closest(zone) is null)
        {
            return new Keys(new Step(DnssecStatus.Indeterminate, DnssecReason.NoTrustAnchor, $"no trust anchor is at or above {zone}", zone), []);
        }
        var msg = await _transport.QueryAsync(zone, DnssecTypes.Ds, ct).ConfigureAwait(false);
        if (msg is null)
        {
            return new Keys(new Step(DnssecStatus.Indeterminate, DnssecReason.NoAnswer, $"no answer for DS {zone}", zone), []);
        }
        var ds = Rrset(msg.Answers, zone, DnssecTypes.Ds);
        if (ds.Count > 0)
        {
            var dsStep = await RrsetAsync(ds, msg, parentSide: true, ct).ConfigureAwait(false);
            if (dsStep.Status != DnssecStatus.Secure)
            {
                return new Keys(dsStep, []);
            }
            List<DsData> parsed;
            try
            {
                parsed = ds.Select(r => DsData.Read(r.Owner, r.Data)).ToList();
            }
            catch (FormatException e)
            {
                return new Keys(new Step(DnssecStatus.Bogus, DnssecReason.DsMismatch, $"malformed DS for {zone}: {e.Message}", zone), []);
            }
            return await DnskeyAsync(zone, parsed, [], $"the DS in {dsStep.Zone}", ct).ConfigureAwait(false);
        }
        return new Keys(await NoDsAsync(zone, msg, ct).ConfigureAwait(false), []);
    }

    /// <summary>A DS query without DS: insecure only when the parent's signed NSEC/NSEC3 proves the absence.</summary>
    private async Task<Step> NoDsAsync(WireName zone, WireMessage msg, CancellationToken ct)
    {
        var signer = AuthoritySigner(msg, zone, parentSide: true);
        if (signer is null)
        {
            var soa = msg.Authority.FirstOrDefault(r => r.Type == DnssecTypes.Soa)?.Owner;
            var parent = soa is not null && zone.IsAtOrBelow(soa) && !soa.Equals(zone) ? soa : await ApexAsync(zone.Parent(), ct).ConfigureAwait(false);
            if (parent is null || !zone.IsAtOrBelow(parent) || parent.Equals(zone))
            {
                return new Step(DnssecStatus.Indeterminate, DnssecReason.NoAnswer, $"the zone above {zone} was not found", zone);
            }
            var parentKeys = await KeysAsync(parent, ct).ConfigureAwait(false);
            return parentKeys.Outcome.Status == DnssecStatus.Secure
                ? new Step(DnssecStatus.Bogus, DnssecReason.MissingRrsig, $"the denial of DS {zone} came without an RRSIG, but {parent} has a secure chain of trust", parent)
                : parentKeys.Outcome;
        }
        var keys = await KeysAsync(signer, ct).ConfigureAwait(false);
        if (keys.Outcome.Status != DnssecStatus.Secure)
        {
            return keys.Outcome;
        }
        if (VerifyDenialRecords(msg.Authority, signer, keys.Trusted, out var nsecs, out var nsec3s) is { } bad)
        {
            return bad;
        }
        if (nsecs.Any(n => n.Owner.Equals(zone) && n.Types.Contains(DnssecTypes.Ns) && !n.Types.Contains(DnssecTypes.Ds) && !n.Types.Contains(DnssecTypes.Soa)))
        {
            return new Step(DnssecStatus.Insecure, DnssecReason.NoDs, $"{signer} proves with a signed NSEC that {zone} has no DS: an unsigned delegation", zone);
        }
        if (Nsec3Hasher(nsec3s, signer) is { } hash && hash(zone) is { } h)
        {
            if (nsec3s.Any(n => n.Matches(h) && n.Types.Contains(DnssecTypes.Ns) && !n.Types.Contains(DnssecTypes.Ds) && !n.Types.Contains(DnssecTypes.Soa)))
            {
                return new Step(DnssecStatus.Insecure, DnssecReason.NoDs, $"{signer} proves with a signed NSEC3 that {zone} has no DS: an unsigned delegation", zone);
            }
            if (ClosestEncloser(zone, signer, nsec3s, hash) is { } ce && hash(zone.Suffix(ce.LabelCount + 1)) is { } nc
                && nsec3s.Any(n => n.OptOut && n.Covers(nc)))
            {
                return new Step(DnssecStatus.Insecure, DnssecReason.NoDs, $"{signer} covers {zone} with an opt-out NSEC3: an unsigned delegation", zone);
            }
        }
        return new Step(DnssecStatus.Bogus, DnssecReason.BadDenial, $"{signer} answers DS {zone} with no DS and no NSEC/NSEC3 that proves its absence", signer, true);
    }

    /// <summary>A NODATA or NXDOMAIN answer for the name asked: the denial must be signed and prove it.</summary>
    private async Task<Step> DenialAsync(WireName name, ushort type, WireMessage msg, CancellationToken ct)
    {
        var what = $"{(msg.RCode == 3 ? "NXDOMAIN" : "NODATA")} for {DnssecTypes.Name(type)} {name}";
        var signer = AuthoritySigner(msg, name, parentSide: false);
        if (signer is null)
        {
            return await UnsignedAsync(name, what, ct).ConfigureAwait(false);
        }
        var keys = await KeysAsync(signer, ct).ConfigureAwait(false);
        if (keys.Outcome.Status != DnssecStatus.Secure)
        {
            return keys.Outcome with { Signed = true };
        }
        if (VerifyDenialRecords(msg.Authority, signer, keys.Trusted, out var nsecs, out var nsec3s) is { } bad)
        {
            return bad;
        }
        var hash = Nsec3Hasher(nsec3s, signer);
        bool proven;
        if (msg.RCode != 3)
        {
            proven = nsecs.Any(n => n.Owner.Equals(name) && !n.Types.Contains(type) && !n.Types.Contains(DnssecTypes.Cname))
                || (hash?.Invoke(name) is { } h && nsec3s.Any(n => n.Matches(h) && !n.Types.Contains(type) && !n.Types.Contains(DnssecTypes.Cname)));
        }
        else
        {
            var covering = nsecs.FirstOrDefault(n => n.Covers(name));
            if (covering is not null)
            {
                var ce = new[] { Common(name, covering.Owner), Common(name, covering.Next) }.MaxBy(n => n.LabelCount)!;
                var wildcard = ce.Prepend("*");
                proven = nsecs.Any(n => n.Covers(wildcard));
            }
            else
            {
                proven = hash is not null && ClosestEncloser(name, signer, nsec3s, hash) is { } ce
                    && hash(name.Suffix(ce.LabelCount + 1)) is { } nc && nsec3s.Any(n => n.Covers(nc))
                    && hash(ce.Prepend("*")) is { } wc && nsec3s.Any(n => n.Covers(wc));
            }
        }
        return proven
            ? new Step(DnssecStatus.Secure, DnssecReason.None, null, signer, true)
            : new Step(DnssecStatus.Bogus, DnssecReason.BadDenial, $"{what}: the signed NSEC/NSEC3 records of {signer} do not prove it", signer, true);
    }

    /// <summary>The zone that signed the authority section (SOA, NSEC, NSEC3), deepest first; null when unsigned.</summary>
    private static WireName? AuthoritySigner(WireMessage msg, WireName name, bool parentSide)
    {
        try
        {
            return msg.Authority.Where(r => r.Type == DnssecTypes.Rrsig).Select(r => RrsigData.Read(r.Owner, r.Data))
                .Where(s => s.TypeCovered is DnssecTypes.Soa or DnssecTypes.Nsec or DnssecTypes.Nsec3)
                .Select(s => s.Signer)
                .Where(s => name.IsAtOrBelow(s) && (!parentSide || !s.Equals(name)))
                .OrderByDescending(s => s.LabelCount).FirstOrDefault();
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Verifies every NSEC and NSEC3 record set of the authority section with the signer's keys; a bogus step when one fails.</summary>
    private Step? VerifyDenialRecords(IReadOnlyList<WireRecord> authority, WireName signer, List<DnskeyData> keys, out List<NsecData> nsecs, out List<Nsec3Data> nsec3s)
    {
        nsecs = [];
        nsec3s = [];
        try
        {
            foreach (var group in authority.Where(r => r.Type is DnssecTypes.Nsec or DnssecTypes.Nsec3).GroupBy(r => (r.Owner, r.Type)))
            {
                var rrset = group.ToList();
                var v = Verify(rrset, Signatures(authority, group.Key.Owner, group.Key.Type).Where(s => s.Signer.Equals(signer)).ToList(), keys);
                if (v.Reason != DnssecReason.None)
                {
                    return new Step(DnssecStatus.Bogus, v.Reason, v.Detail, signer, true);
                }
                foreach (var r in rrset)
                {
                    if (r.Type == DnssecTypes.Nsec)
                    {
                        nsecs.Add(NsecData.Read(r.Owner, r.Data));
                    }
                    else
                    {
                        nsec3s.Add(Nsec3Data.Read(r.Owner, r.Data));
                    }
                }
            }
        }
        catch (FormatException e)
        {
            return new Step(DnssecStatus.Bogus, DnssecReason.BadDenial, $"malformed denial record: {e.Message}", signer, true);
        }
        return null;
    }

    /// <summary>The NSEC3 hash function of the zone's chain (parameters from its records), or null when there are none usable.</summary>
    private static Func<WireName, byte[]?>? Nsec3Hasher(List<Nsec3Data> nsec3s, WireName zone)
    {
        var p = nsec3s.FirstOrDefault(n => n.Owner.Parent().Equals(zone) && n.HashAlgorithm == 1 && n.Iterations <= MaxNsec3Iterations);
        return p is null ? null : name => DnssecCanonical.Nsec3Hash(name, p.HashAlgorithm, p.Iterations, p.Salt);
    }

    /// <summary>RFC 5155 §8.3: the deepest ancestor of the name (not the name itself) whose hash an NSEC3 matches.</summary>
    private static WireName? ClosestEncloser(WireName name, WireName zone, List<Nsec3Data> nsec3s, Func<WireName, byte[]?> hash)
    {
        for (var n = name.Parent(); n.IsAtOrBelow(zone); n = n.Parent())
        {
            if (hash(n) is { } h && nsec3s.Any(x => x.Matches(h)))
            {
                return n;
            }
            if (n.Equals(zone))
            {
                break;
            }
        }
        return null;
    }

    private static WireName Common(WireName a, WireName b)
    {
        var n = a;
        while (!b.IsAtOrBelow(n))
        {
            n = n.Parent();
        }
        return n;
    }

    /// <summary>The DNSKEY RRset of a zone, trusted when a key that the DS (or anchor) names signs it.</summary>
    private async Task<Keys> DnskeyAsync(WireName zone, IReadOnlyList<DsData> ds, IReadOnlyList<DnskeyData> anchorKeys, string source, CancellationToken ct, bool anchored = false)
    {
        var msg = await _transport.QueryAsync(zone, DnssecTypes.Dnskey, ct).ConfigureAwait(false);
        if (msg is null)
        {
            return new Keys(new Step(DnssecStatus.Indeterminate, DnssecReason.NoAnswer, $"no answer for DNSKEY {zone}", zone), []);
        }
        var rrset = Rrset(msg.Answers, zone, DnssecTypes.Dnskey);
        List<DnskeyData> keys;
        try
        {
            keys = rrset.Select(r => DnskeyData.Read(r.Owner, r.Data)).ToList();
        }
        catch (FormatException e)
        {
            return new Keys(new Step(DnssecStatus.Bogus, DnssecReason.DsMismatch, $"malformed DNSKEY at {zone}: {e.Message}", zone, true), []);
        }
        var usable = ds.Where(d => DnssecCanonical.IsSupportedDigest(d.DigestType) && DnssecAlgorithms.IsSupported(d.Algorithm)).ToList();
        if (usable.Any(d => d.DigestType != 1))
        {
            // RFC 4509 §3: with a SHA-256 (or stronger) DS present, a SHA-1 DS is not used (downgrade protection).
            usable.RemoveAll(d => d.DigestType == 1);
        }
        if (ds.Count > 0 && usable.Count == 0 && !anchorKeys.Any(k => DnssecAlgorithms.IsSupported(k.Algorithm)))
        {
            var algs = string.Join(", ", ds.Select(d => $"{DnssecAlgorithms.Name(d.Algorithm)}/digest {d.DigestType}").Distinct());
            return new Keys(new Step(DnssecStatus.Insecure, DnssecReason.UnsupportedAlgorithm, $"the DS of {zone} use only algorithms or digests this validator does not implement ({algs})", zone, true), []);
        }
        if (keys.Count == 0)
        {
            return new Keys(new Step(DnssecStatus.Bogus, DnssecReason.DsMismatch, $"{source} names keys of {zone}, but it has no DNSKEY", zone), []);
        }
        var entry = keys.Where(k => k.IsZoneKey && !k.IsRevoked && (
            usable.Any(d => d.KeyTag == k.KeyTag && d.Algorithm == k.Algorithm && DnssecCanonical.DsDigest(k, d.DigestType) is { } digest && digest.AsSpan().SequenceEqual(d.Digest))
            || anchorKeys.Any(a => a.Algorithm == k.Algorithm && a.PublicKey.AsSpan().SequenceEqual(k.PublicKey)))).ToList();
        if (entry.Count == 0)
        {
            var named = string.Join(", ", usable.Select(d => d.KeyTag).Concat(anchorKeys.Select(k => k.KeyTag)).Distinct());
            var present = string.Join(", ", keys.Select(k => k.KeyTag));
            return new Keys(new Step(DnssecStatus.Bogus, DnssecReason.DsMismatch,
                $"no DNSKEY of {zone} (key tags {present}) matches {source} (key tags {named})", zone, true), []);
        }
        if (anchored && !msg.Answers.Any(r => r.Type == DnssecTypes.Rrsig))
        {
            // The anchor zone is signed by definition: no RRSIG at all means the server in between drops them (it
            // ignores DO), which says nothing about the zones: indeterminate, not bogus.
            return new Keys(new Step(DnssecStatus.Indeterminate, DnssecReason.NoAnswer,
                $"DNSKEY {zone} came without any RRSIG: the resolver does not pass DNSSEC records; ask one that does (--resolver)", zone), []);
        }
        var v = Verify(rrset, Signatures(msg.Answers, zone, DnssecTypes.Dnskey).Where(s => s.Signer.Equals(zone)).ToList(), entry);
        if (v.Reason != DnssecReason.None)
        {
            return new Keys(new Step(DnssecStatus.Bogus, v.Reason, v.Detail, zone, true), []);
        }
        return new Keys(new Step(DnssecStatus.Secure, DnssecReason.None, null, zone, true),
            keys.Where(k => k.IsZoneKey && !k.IsRevoked && DnssecAlgorithms.IsSupported(k.Algorithm)).ToList());
    }

    private readonly record struct Verdict(DnssecReason Reason, string? Detail, int? WildcardLabels);

    /// <summary>
    /// Whether one of the RRSIGs verifies the RRset with one of the keys (RFC 4035 §5.3). When none does, the reason
    /// of the signature that got furthest: expired or not yet valid, then a bad signature, then no matching key.
    /// </summary>
    private Verdict Verify(List<WireRecord> rrset, List<RrsigData> sigs, List<DnskeyData> keys)
    {
        var owner = rrset[0].Owner;
        var what = $"{DnssecTypes.Name(rrset[0].Type)} {owner}";
        if (sigs.Count == 0)
        {
            return new Verdict(DnssecReason.MissingRrsig, $"{what} has no RRSIG", null);
        }
        var now = _time.GetUtcNow();
        var now32 = (uint)now.ToUnixTimeSeconds();
        var failures = new List<(DnssecReason Reason, string Detail)>();
        var verifications = 0;
        foreach (var sig in sigs)
        {
            if (sig.Labels > owner.LabelCount)
            {
                failures.Add((DnssecReason.BadSignature, $"the RRSIG of {what} counts more labels than its owner"));
                continue;
            }
            var candidates = keys.Where(k => k.KeyTag == sig.KeyTag && k.Algorithm == sig.Algorithm && k.Owner.Equals(sig.Signer)).ToList();
            if (candidates.Count == 0)
            {
                failures.Add((DnssecReason.NoMatchingKey, $"no trusted DNSKEY of {sig.Signer} has the key tag {sig.KeyTag} and algorithm {DnssecAlgorithms.Name(sig.Algorithm)} of the RRSIG of {what}"));
                continue;
            }
            // RFC 4034 §3.1.5: serial number arithmetic (RFC 1982), so the times wrap in 2106 without harm.
            if ((int)(sig.Expiration - now32) < 0)
            {
                failures.Add((DnssecReason.SignatureExpired, $"the RRSIG of {what} by key {sig.KeyTag} of {sig.Signer} expired at {Time(now, now32, sig.Expiration)}"));
                continue;
            }
            if ((int)(now32 - sig.Inception) < 0)
            {
                failures.Add((DnssecReason.SignatureNotYetValid, $"the RRSIG of {what} by key {sig.KeyTag} of {sig.Signer} is not valid before {Time(now, now32, sig.Inception)}"));
                continue;
            }
            var data = DnssecCanonical.SignedData(sig, rrset);
            foreach (var key in candidates)
            {
                if (++verifications > MaxVerificationsPerRrset)
                {
                    return new Verdict(DnssecReason.BadSignature,
                        $"{what} needs more than {MaxVerificationsPerRrset} signature verifications (colliding key tags: KeyTrap, CVE-2023-50387)", null);
                }
                if (key.Verifier.Verify(data, sig.Signature))
                {
                    return new Verdict(DnssecReason.None, null, sig.Labels < owner.LabelCount ? sig.Labels : null);
                }
            }
            failures.Add((DnssecReason.BadSignature, $"the RRSIG of {what} by key {sig.KeyTag} of {sig.Signer} does not verify"));
        }
        var order = new[] { DnssecReason.SignatureExpired, DnssecReason.SignatureNotYetValid, DnssecReason.BadSignature, DnssecReason.NoMatchingKey };
        var worst = failures.OrderBy(f => Array.IndexOf(order, f.Reason)).First();
        return new Verdict(worst.Reason, worst.Detail, null);
    }

    private static string Time(DateTimeOffset now, uint now32, uint serial) =>
        now.AddSeconds((int)(serial - now32)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
