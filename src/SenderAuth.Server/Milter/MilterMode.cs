namespace SenderAuth.Server.Milter;

/// <summary>What the milter does to each message (<c>SenderAuth:Milter:Mode</c>).</summary>
public enum MilterMode
{
    /// <summary>DKIM-sign outgoing mail: the default.</summary>
    Sign,

    /// <summary>Verify inbound mail and add Authentication-Results.</summary>
    Verify,
}

/// <summary>What the milter answers when it fails internally (<c>SenderAuth:Milter:OnError</c>).</summary>
public enum MilterErrorAction
{
    /// <summary>A temporary failure: the MTA keeps the message and retries (the default).</summary>
    Tempfail,

    /// <summary>Let the message through unsigned.</summary>
    Accept,
}

/// <summary>The answer to a mapped SMTP client whose From domain belongs to another institution.</summary>
public enum MilterForeignDomainAction
{
    /// <summary>550 5.7.1: the message is refused for good.</summary>
    Reject,

    /// <summary>451 4.7.1: deferred (while a mapping is being corrected, nothing is lost).</summary>
    Tempfail,
}

/// <summary>
/// What an SMTP client no Milter:PeerInstitutions entry matches may do when a mapping exists
/// (<c>SenderAuth:Milter:UnmappedPeers</c>).
/// </summary>
public enum MilterUnmappedPeerAction
{
    /// <summary>Mail it sends as an institution's domain is not signed but refused, as OnForeignDomain answers (the default).</summary>
    Refuse,

    /// <summary>It may send as every institution, as without a mapping (for a transition while the map is completed).</summary>
    Allow,
}
