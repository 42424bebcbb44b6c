using ARSoft.Tools.Net.Dns;

namespace SenderAuth.Server.Publishing;

/// <summary>RCODE and TSIG error mnemonics as RFC 6895 §2.3 lists them, for messages an operator can search for.</summary>
internal static class DnsRcodeNames
{
    public static string Rcode(ReturnCode code) => (ushort)code switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        16 => "BADVERS",
        _ => Tsig(code),
    };

    /// <summary>The TSIG error field (RFC 8945 §5.3); 16 is BADSIG there, not BADVERS.</summary>
    public static string Tsig(ReturnCode code) => (ushort)code switch
    {
        0 => "NOERROR",
        16 => "BADSIG",
        17 => "BADKEY",
        18 => "BADTIME",
        19 => "BADMODE",
        20 => "BADNAME",
        21 => "BADALG",
        22 => "BADTRUNC",
        23 => "BADCOOKIE",
        var other => "RCODE" + other.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
