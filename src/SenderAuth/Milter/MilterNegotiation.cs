namespace SenderAuth.Milter;

/// <summary>
/// The answer to the MTA's SMFIC_OPTNEG: the actions the milter needs and the steps it wants, kept to what the MTA
/// offers (a milter may only ask for offered bits). Replies the MTA still waits for are listed in
/// <see cref="MustReply"/>.
/// </summary>
internal sealed record MilterNegotiation(uint Version, MilterActions Actions, MilterSteps Steps)
{
    /// <summary>
    /// Negotiates version 6 with an MTA offering at least version 2.
    /// </summary>
    /// <param name="required">Actions without which the milter cannot work (missing: an error).</param>
    /// <param name="wanted">Steps asked for when offered (skipped commands, no-reply commands, leading space).</param>
    /// <exception cref="MilterProtocolException">Version below 2, or a required action not offered.</exception>
    public static MilterNegotiation Answer(uint mtaVersion, MilterActions offeredActions, MilterSteps offeredSteps, MilterActions required, MilterSteps wanted)
    {
        if (mtaVersion < 2)
        {
            throw new MilterProtocolException("version", $"the MTA speaks milter protocol version {mtaVersion}; at least 2 is required (6 preferred)");
        }
        if ((offeredActions & required) != required)
        {
            throw new MilterProtocolException("version", $"the MTA does not allow the actions this milter needs ({required & ~offeredActions})");
        }
        // Version 2 MTAs send no step mask worth trusting for no-reply bits; only v6 knows them.
        var steps = mtaVersion >= 6 ? wanted & offeredSteps : wanted & offeredSteps & (MilterSteps)0x7F;
        return new MilterNegotiation(Math.Min(mtaVersion, MilterProtocol.Version), required, steps);
    }

    public bool HeaderLeadingSpace => Steps.HasFlag(MilterSteps.HeaderLeadingSpace);

    /// <summary>Whether the MTA waits for a reply to this command (every command but macros, abort and quits, unless no-reply was agreed).</summary>
    public bool MustReply(MilterCommand command) => command switch
    {
        MilterCommand.Connect => !Steps.HasFlag(MilterSteps.NoReplyConnect),
        MilterCommand.Helo => !Steps.HasFlag(MilterSteps.NoReplyHelo),
        MilterCommand.Mail => !Steps.HasFlag(MilterSteps.NoReplyMail),
        MilterCommand.Recipient => !Steps.HasFlag(MilterSteps.NoReplyRecipient),
        MilterCommand.Data => !Steps.HasFlag(MilterSteps.NoReplyData),
        MilterCommand.Unknown => !Steps.HasFlag(MilterSteps.NoReplyUnknown),
        MilterCommand.Header => !Steps.HasFlag(MilterSteps.NoReplyHeader),
        MilterCommand.EndOfHeaders => !Steps.HasFlag(MilterSteps.NoReplyEndOfHeaders),
        MilterCommand.Body => !Steps.HasFlag(MilterSteps.NoReplyBody),
        MilterCommand.EndOfMessage => true,
        _ => false,
    };
}
