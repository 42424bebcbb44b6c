namespace SenderAuth.Milter;

/// <summary>
/// The sendmail/Postfix milter protocol, version 6 (libmilter's mfdef.h): a packet is a 4-byte big-endian length,
/// then a command byte and its data; the length counts the command byte.
/// </summary>
/// <remarks>
/// Written by hand: no maintained .NET milter library exists (the NuGet ones are abandoned or speak v2 only),
/// and the protocol is small. Postfix documents what it sends in MILTER_README; libmilter's mfdef.h holds the
/// codes below.
/// </remarks>
internal static class MilterProtocol
{
    /// <summary>The protocol version spoken (sendmail 8.14+, Postfix 2.6+).</summary>
    public const uint Version = 6;

    /// <summary>Bytes in front of every packet: the length.</summary>
    public const int LengthBytes = 4;
}

/// <summary>Commands from the MTA (SMFIC_*).</summary>
internal enum MilterCommand : byte
{
    Abort = (byte)'A',
    Body = (byte)'B',
    Connect = (byte)'C',
    Macro = (byte)'D',
    EndOfMessage = (byte)'E',
    Helo = (byte)'H',
    QuitNewConnection = (byte)'K',
    Header = (byte)'L',
    Mail = (byte)'M',
    EndOfHeaders = (byte)'N',
    OptionNegotiation = (byte)'O',
    Quit = (byte)'Q',
    Recipient = (byte)'R',
    Data = (byte)'T',
    Unknown = (byte)'U',
}

/// <summary>Replies and actions of the milter (SMFIR_*).</summary>
internal enum MilterReply : byte
{
    AddRecipient = (byte)'+',
    DeleteRecipient = (byte)'-',
    Accept = (byte)'a',
    ReplaceBody = (byte)'b',
    Continue = (byte)'c',
    Discard = (byte)'d',
    ChangeFrom = (byte)'e',
    AddHeader = (byte)'h',
    InsertHeader = (byte)'i',
    SetSymbolList = (byte)'l',
    ChangeHeader = (byte)'m',
    Progress = (byte)'p',
    Quarantine = (byte)'q',
    Reject = (byte)'r',
    Skip = (byte)'s',
    TempFail = (byte)'t',
    ReplyCode = (byte)'y',
    OptionNegotiation = (byte)'O',
}

/// <summary>What the milter may do to a message (SMFIF_*), offered by the MTA and requested by the milter.</summary>
[Flags]
internal enum MilterActions : uint
{
    None = 0,
    AddHeaders = 0x01,
    ChangeBody = 0x02,
    AddRecipient = 0x04,
    DeleteRecipient = 0x08,
    ChangeHeaders = 0x10,
    Quarantine = 0x20,
    ChangeFrom = 0x40,
    AddRecipientWithArgs = 0x80,
    SetSymbolList = 0x100,
}

/// <summary>
/// Protocol steps (SMFIP_*): which commands the MTA leaves out (No*), which it sends without waiting for a reply
/// (NoReply*), and whether header values keep their leading space.
/// </summary>
[Flags]
internal enum MilterSteps : uint
{
    None = 0,
    NoConnect = 0x1,
    NoHelo = 0x2,
    NoMail = 0x4,
    NoRecipient = 0x8,
    NoBody = 0x10,
    NoHeaders = 0x20,
    NoEndOfHeaders = 0x40,
    NoReplyHeader = 0x80,
    NoUnknown = 0x100,
    NoData = 0x200,
    Skip = 0x400,
    RecipientRejected = 0x800,
    NoReplyConnect = 0x1000,
    NoReplyHelo = 0x2000,
    NoReplyMail = 0x4000,
    NoReplyRecipient = 0x8000,
    NoReplyData = 0x10000,
    NoReplyUnknown = 0x20000,
    NoReplyEndOfHeaders = 0x40000,
    NoReplyBody = 0x80000,
    HeaderLeadingSpace = 0x100000,
}
