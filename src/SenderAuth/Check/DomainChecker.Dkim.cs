using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Check;

public sealed partial class DomainChecker
{
    private static async Task CheckDkimAsync(IDnsResolver dns, string domain, ProviderProfile profile, string code,
        List<CheckFinding> findings, List<RecordToPublish> records, CancellationToken ct)
    {
        // The Ed25519 selectors (RFC 8463) are checked like the RSA ones, and their key must be an Ed25519 key.
        var targets = profile.AllSelectors().ToDictionary(s => s.Name, s => profile.SelectorTarget(s, code, domain), StringComparer.OrdinalIgnoreCase);
        var ed25519 = profile.Ed25519Selectors.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var selector in profile.AllSelectors())
        {
            var name = $"{selector.Name}._domainkey.{domain}";
            var expected = targets[selector.Name];
            var before = findings.Count;
            var keyType = ed25519.Contains(selector.Name) ? DkimKeyType.Ed25519 : (DkimKeyType?)null;
            await CheckSelectorAsync(dns, domain, selector.Name, name, expected, targets, keyType, findings, ct).ConfigureAwait(false);
            if (findings.Skip(before).Any(f => f.Severity == FindingSeverity.Error && !f.Temporary))
            {
                records.Add(PublishPlan.Dkim(domain, code, profile, selector));
            }
        }
    }

    private static async Task CheckSelectorAsync(IDnsResolver dns, string domain, string selector, string name, string expected,
        Dictionary<string, string> targets, DkimKeyType? keyType, List<CheckFinding> findings, CancellationToken ct)
    {
        var cname = await dns.QueryAsync(name, DnsRecordType.Cname, ct).ConfigureAwait(false);
        if (cname.IsTemporaryFailure)
        {
            findings.Add(CouldNotCheck(CheckArea.Dkim, name, cname.Status));
            return;
        }
        var published = await dns.QueryAsync(expected, DnsRecordType.Txt, ct).ConfigureAwait(false);
        var ourKey = published.Of<TxtRecord>().FirstOrDefault()?.Text;
        if (cname.Of<CnameRecord>().FirstOrDefault() is { } record)
        {
            var target = DnsName.Normalize(record.Target);
            if (target == expected)
            {
                CheckKey(name, expected, ourKey, published, keyType, findings);
                return;
            }
            var swapped = targets.FirstOrDefault(t => t.Value == target && !t.Key.Equals(selector, StringComparison.OrdinalIgnoreCase));
            findings.Add(swapped.Key is not null
                ? new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-selectors-swapped",
                    $"{name} points at the target of selector {swapped.Key}: each selector must point at its own key, or rotation signs with a key DNS does not serve")
                    { Subject = name, Observed = target, Expected = expected }
                : new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-cname-wrong-target",
                    $"{name} is a CNAME to {target}, not to our key: change its target to {expected}.")
                    { Subject = name, Observed = target, Expected = expected });
            return;
        }
        var txt = await dns.QueryAsync(name, DnsRecordType.Txt, ct).ConfigureAwait(false);
        if (txt.Of<TxtRecord>().FirstOrDefault() is { } copied)
        {
            if (Truncated(copied))
            {
                findings.Add(new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-key-truncated",
                    $"{name} holds a key cut at 255 characters (the TXT value was not split into strings): replace it with the CNAME below")
                    { Subject = name, Observed = copied.Text, Expected = expected });
                return;
            }
            var same = ourKey is not null && Normalize(copied.Text) == Normalize(ourKey);
            findings.Add(new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, same ? "dkim-cname-flattened" : "dkim-txt-instead-of-cname",
                same
                    ? $"{name} holds a copy of our key as TXT instead of the CNAME (the DNS host flattened it, or it was pasted): it verifies today, but our next key rotation will break it. Replace it with the CNAME"
                    : $"{name} holds a TXT key that is not ours: replace it with a CNAME to {expected}.")
                { Subject = name, Observed = "TXT " + Shorten(copied.Text), Expected = "CNAME " + expected });
            return;
        }
        var address = await dns.QueryAsync(name, DnsRecordType.A, ct).ConfigureAwait(false);
        if (address.Status == DnsStatus.NoError)
        {
            findings.Add(new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-cname-flattened",
                $"{name} answers with an address, not the CNAME: the DNS host flattened it. Turn flattening off for this name and publish the CNAME")
                { Subject = name, Observed = "A", Expected = "CNAME " + expected });
            return;
        }
        findings.Add(await Misplaced(dns, domain, selector, name, expected, ct).ConfigureAwait(false)
            ?? new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-cname-missing", $"{name} does not exist: publish the CNAME below")
                { Subject = name, Expected = expected });
    }

    /// <summary>The usual places a CNAME lands by mistake: the zone name appended twice, a missing underscore.</summary>
    private static async Task<CheckFinding?> Misplaced(IDnsResolver dns, string domain, string selector, string name, string expected, CancellationToken ct)
    {
        var candidates = new (string Name, string Code, string Advice)[]
        {
            ($"{name}.{domain}", "dkim-zone-appended-twice", $"the record was created as {name}.{domain}: the DNS host appends the zone name itself, so enter only \"{selector}._domainkey\" as the host name"),
            ($"{selector}.domainkey.{domain}", "dkim-missing-underscore", $"the record was created without the underscore in \"_domainkey\": rename it to {name}"),
            ($"{selector}_domainkey.{domain}", "dkim-missing-dot", $"the record was created as \"{selector}_domainkey\": rename it to {name}"),
        };
        foreach (var (candidate, code, advice) in candidates)
        {
            if (!DnsName.IsValid(candidate))
            {
                continue;
            }
            var answer = await dns.QueryAsync(candidate, DnsRecordType.Cname, ct).ConfigureAwait(false);
            var any = answer.Status == DnsStatus.NoError || (await dns.QueryAsync(candidate, DnsRecordType.Txt, ct).ConfigureAwait(false)).Status == DnsStatus.NoError;
            if (any)
            {
                return new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, code, advice) { Subject = name, Observed = candidate, Expected = $"{name} CNAME {expected}" };
            }
        }
        // DNS cannot be listed, so a mistyped selector is found by asking for the likely typos (one letter left out,
        // doubled, or two swapped), and only a CNAME at one of them pointing exactly at this selector's key counts.
        foreach (var typo in SelectorTypos(selector))
        {
            var candidate = $"{typo}._domainkey.{domain}";
            if (!DnsName.IsValid(candidate))
            {
                continue;
            }
            var answer = await dns.QueryAsync(candidate, DnsRecordType.Cname, ct).ConfigureAwait(false);
            if (answer.Of<CnameRecord>().Any(c => DnsName.Normalize(c.Target) == expected))
            {
                return new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-selector-typo",
                    $"the record was created for selector \"{typo}\" instead of \"{selector}\": rename it to {name}") { Subject = name, Observed = candidate, Expected = $"{name} CNAME {expected}" };
            }
        }
        return null;
    }

    /// <summary>One letter left out, doubled, or two neighbours swapped: about 3 names per letter, each asked once.</summary>
    internal static IEnumerable<string> SelectorTypos(string selector)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { selector };
        for (var i = 0; i < selector.Length; i++)
        {
            var dropped = selector.Remove(i, 1);
            var doubled = selector.Insert(i, selector[i].ToString());
            var swapped = i + 1 < selector.Length ? string.Concat(selector.AsSpan(0, i), selector.AsSpan(i + 1, 1), selector.AsSpan(i, 1), selector.AsSpan(i + 2)) : null;
            foreach (var v in new[] { dropped, doubled, swapped })
            {
                if (v is { Length: > 0 } && seen.Add(v))
                {
                    yield return v;
                }
            }
        }
    }

    /// <param name="keyType">The key type the selector must serve (Ed25519 for the Ed25519 selectors); null: any.</param>
    private static void CheckKey(string name, string target, string? ourKey, DnsAnswer published, DkimKeyType? keyType, List<CheckFinding> findings)
    {
        if (published.IsTemporaryFailure)
        {
            findings.Add(CouldNotCheck(CheckArea.Dkim, target, published.Status));
            return;
        }
        if (ourKey is null)
        {
            findings.Add(new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-key-not-published",
                $"{name} points at {target} correctly, but no key is published there yet: this is on the provider's side") { Subject = target });
            return;
        }
        var record = DkimKeyRecord.Parse(ourKey, out var error);
        if (record is null || record.PublicKey is null)
        {
            findings.Add(new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, record is null ? "dkim-key-invalid" : CheckCodes.DkimKeyRevoked,
                record is null ? $"the key at {target} is invalid: {error}" : $"the key at {target} is revoked (p= empty)") { Subject = target, Observed = Shorten(ourKey) });
            return;
        }
        var key = record.PublicKey;
        var kind = key.KeyType == DkimKeyType.Rsa ? $"RSA-{key.KeySize}" : "Ed25519";
        if (keyType is { } wanted && key.KeyType != wanted)
        {
            findings.Add(new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-key-wrong-type",
                $"{name} is an Ed25519 selector, but the key at {target} is {kind}: this is on the provider's side") { Subject = target, Observed = kind, Expected = "Ed25519" });
            return;
        }
        findings.Add(key.KeyType == DkimKeyType.Rsa && key.KeySize < 2048
            ? new CheckFinding(CheckArea.Dkim, key.KeySize < 1024 ? FindingSeverity.Error : FindingSeverity.Warning, "dkim-key-short",
                $"{name} delegates correctly, but the key is {kind}: receivers reject under 1024 bits and 2048 is the norm") { Subject = target, Observed = kind, Expected = "RSA-2048" }
            : new CheckFinding(CheckArea.Dkim, FindingSeverity.Info, CheckCodes.DkimOk, $"{name} delegates to our {kind} key") { Subject = name, Observed = target });
    }

    private static bool Truncated(TxtRecord txt)
    {
        var parsed = DkimKeyRecord.Parse(txt.Text, out _);
        return (parsed is null || parsed.PublicKey is null) && txt.Text.Contains("p=", StringComparison.Ordinal)
            && txt.Strings.Any(s => s.Length == 255) && txt.Strings.Count == 1;
    }

    private static string Normalize(string txt) => string.Concat(txt.Where(c => !char.IsWhiteSpace(c)));

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
