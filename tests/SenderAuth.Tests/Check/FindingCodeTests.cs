using SenderAuth.Check;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Tests.Check;

/// <summary>
/// Finding codes that consumers match on have one definition (CheckCodes, ReportFindingCodes); their words are part
/// of the JSON contract and the dashboard, so they must stay the words the bare strings were.
/// </summary>
[Trait("Layer", "engine")]
public sealed class FindingCodeTests
{
    [Fact]
    public void CheckCodes_AreTheWordsConsumersMatched()
    {
        Assert.Equal("dnssec-secure", CheckCodes.DnssecSecure);
        Assert.Equal("dnssec-no-ds", CheckCodes.DnssecNoDs);
        Assert.Equal("dnssec-unsigned", CheckCodes.DnssecUnsigned);
        Assert.Equal("dnssec-bogus", CheckCodes.DnssecBogus);
        Assert.Equal("dkim-key-revoked", CheckCodes.DkimKeyRevoked);
        Assert.Equal("dkim-idle-key-revoked", CheckCodes.DkimIdleKeyRevoked);
    }

    [Fact]
    public void ReportFindingCodes_AreTheWordsThePolicyAdvisorMatched()
    {
        Assert.Equal("own-mail-failing", ReportFindingCodes.OwnMailFailing);
        Assert.Equal("new-sender", ReportFindingCodes.NewSender);
        Assert.Equal("declared-sender-unaligned", ReportFindingCodes.DeclaredSenderUnaligned);
    }
}
