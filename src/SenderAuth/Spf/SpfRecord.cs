using System.Net;

namespace SenderAuth.Spf;

/// <summary>The mechanisms of RFC 7208 §5.</summary>
public enum SpfMechanismKind
{
    /// <c>all</c>: always matches; ends a record.
    All,
    /// <c>include:</c>: matches when the named domain's record passes.
    Include,
    /// <c>a</c>: matches the client against the domain's A/AAAA addresses.
    A,
    /// <c>mx</c>: matches against the addresses of the domain's MX hosts (at most 10).
    Mx,
    /// <c>ptr</c>: matches a validated reverse name; RFC 7208 §5.5 says do not use it.
    Ptr,
    /// <c>ip4:</c>: matches an IPv4 network.
    Ip4,
    /// <c>ip6:</c>: matches an IPv6 network.
    Ip6,
    /// <c>exists:</c>: matches when the expanded name has an A record.
    Exists,
}

/// <summary>
/// One directive: qualifier, mechanism, its domain-spec (a, mx, ptr, include, exists) or network (ip4, ip6),
/// and the CIDR lengths. <see cref="Position"/> is the 1-based column of the term in the record text.
/// </summary>
/// <param name="Qualifier">The result a match produces.</param>
/// <param name="Kind">Which mechanism.</param>
/// <param name="Text">The term as written, qualifier included.</param>
/// <param name="Position">1-based column of the term in the record.</param>
/// <param name="DomainSpec">The target domain-spec, macros unexpanded; null when the mechanism has none (a, mx without one use the current domain).</param>
/// <param name="Network">The ip4/ip6 network address; null for other mechanisms.</param>
/// <param name="Cidr4">The IPv4 prefix length (a, mx, ip4); 32 when absent.</param>
/// <param name="Cidr6">The IPv6 prefix length (a, mx, ip6); 128 when absent.</param>
public sealed record SpfMechanism(
    SpfQualifier Qualifier,
    SpfMechanismKind Kind,
    string Text,
    int Position,
    SpfMacroString? DomainSpec = null,
    IPAddress? Network = null,
    int Cidr4 = 32,
    int Cidr6 = 128)
{
    /// <summary>True for the terms that count against the limit of 10 DNS-querying terms (RFC 7208 §4.6.4).</summary>
    public bool QueriesDns => Kind is SpfMechanismKind.Include or SpfMechanismKind.A or SpfMechanismKind.Mx
        or SpfMechanismKind.Ptr or SpfMechanismKind.Exists;

    /// <summary>The RFC name of the mechanism, lower case.</summary>
    public string Name => Kind switch
    {
        SpfMechanismKind.All => "all",
        SpfMechanismKind.Include => "include",
        SpfMechanismKind.A => "a",
        SpfMechanismKind.Mx => "mx",
        SpfMechanismKind.Ptr => "ptr",
        SpfMechanismKind.Ip4 => "ip4",
        SpfMechanismKind.Ip6 => "ip6",
        _ => "exists",
    };
}

/// <summary>A modifier (<c>name=macro-string</c>, RFC 7208 §6): redirect, exp, or an unknown one (ignored).</summary>
/// <param name="Name">The modifier name, lower case (<c>redirect</c>, <c>exp</c> or an unknown one).</param>
/// <param name="Value">The value as a macro-string, unexpanded.</param>
/// <param name="Text">The term as written.</param>
/// <param name="Position">1-based column of the term in the record.</param>
public sealed record SpfModifier(string Name, SpfMacroString Value, string Text, int Position);

/// <summary>A parsed <c>v=spf1</c> record. Parse with <see cref="SpfParser.Parse"/>.</summary>
/// <param name="Text">The record text as parsed.</param>
/// <param name="Mechanisms">The directives, in evaluation order.</param>
/// <param name="Redirect"><c>redirect=</c>, used when no mechanism matches; null when absent.</param>
/// <param name="Explanation"><c>exp=</c>, expanded only for a fail result; null when absent.</param>
/// <param name="OtherModifiers">Unknown modifiers, kept and ignored as RFC 7208 §6 requires.</param>
public sealed record SpfRecord(
    string Text,
    IReadOnlyList<SpfMechanism> Mechanisms,
    SpfModifier? Redirect,
    SpfModifier? Explanation,
    IReadOnlyList<SpfModifier> OtherModifiers)
{
    /// <summary>DNS-querying terms in this record alone, not counting what includes add.</summary>
    public int DnsQueryingTerms => Mechanisms.Count(m => m.QueriesDns) + (Redirect is null ? 0 : 1);
}

/// <summary>Why a record does not parse: the 1-based column in the record text and the reason.</summary>
/// <param name="Position">1-based column where the record stops being valid.</param>
/// <param name="Reason">What is wrong there.</param>
public sealed record SpfSyntaxError(int Position, string Reason)
{
    /// <summary>"at column N: reason", as written in SPF outcomes and findings.</summary>
    public override string ToString() => $"at column {Position}: {Reason}";
}
