using SenderAuth.Mail;
using SenderAuth.Milter;

namespace SenderAuth.Server.Milter;

/// <summary>
/// One message's work behind the protocol driver (<see cref="MilterSession"/>): signing or verifying. The driver
/// calls it once the headers have ended, with each body chunk, and at end of message; disposing it ends the
/// message (done, aborted, or the connection gone). It never sees packets, macros or the SMTP commands.
/// </summary>
/// <remarks>
/// An exception thrown from <see cref="EndOfHeadersAsync"/> or <see cref="EndOfMessageAsync"/> is an internal
/// error: the driver answers it at end of message by Milter:OnError. What a transaction decides about the message
/// itself (unsignable, refused by policy, too large to verify) it answers itself.
/// </remarks>
internal interface IMilterTransaction : IDisposable
{
    /// <summary>The header section is complete (the MTA sends no reply before end of message: nothing to write yet).</summary>
    ValueTask EndOfHeadersAsync(MailMessage headers, CancellationToken ct);

    /// <summary>A body chunk as the MTA sent it (never empty); chunks carry no meaning at their boundaries.</summary>
    void Body(ReadOnlySpan<byte> chunk);

    /// <summary>
    /// The message is complete: writes the header changes and exactly one final reply (continue, or an SMTP code).
    /// </summary>
    ValueTask EndOfMessageAsync(MilterEnvelope envelope, MilterReplyWriter writer, MilterNegotiation negotiation, CancellationToken ct);
}
