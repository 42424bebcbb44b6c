using System.Net;

namespace SenderAuth.Server.Milter;

/// <summary>
/// What the SMTP dialogue told the driver by end of message: the queue id (macro <c>i</c>) for logs, the
/// client, HELO name and MAIL FROM a receiver checks, and the SMTP AUTH identity (macro <c>{auth_authen}</c>) that
/// Milter:PeerInstitutions may tie to an institution. They outlive a message (one connection, many messages), so
/// the driver keeps them and hands them over rather than each transaction following every command.
/// </summary>
internal sealed record MilterEnvelope(string? QueueId, IPAddress? ClientIp, string? Helo, string? MailFrom, string? AuthIdentity = null);
