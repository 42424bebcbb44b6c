using Microsoft.AspNetCore.Http;
using SenderAuth.Dkim;
using SenderAuth.Server.Http;
using SenderAuth.Server.Milter;
using SenderAuth.Server.Signing;

namespace SenderAuth.Tests.Server.Signing;

/// <summary>
/// The typed refusal to sign and its two mappings, kind by kind, without a server: to the HTTP API's problem (through
/// ErrorResponses) and to the milter's SMTP reply.
/// </summary>
[Trait("Layer", "server")]
public sealed class SigningRefusalTests
{
    private static readonly SigningRefusal Ambiguous = new(SigningRefusalKind.Message, "ambiguous header: line 1 begins with U+000B", DkimSignRefusal.AmbiguousHeader);
    private static readonly SigningRefusal NoFrom = new(SigningRefusalKind.Message, "the message has no From header", DkimSignRefusal.NoFrom);
    private static readonly SigningRefusal Policy = new(SigningRefusalKind.Policy, "signing is not enabled for x.example");
    private static readonly SigningRefusal Foreign = new(SigningRefusalKind.ForeignDomain, "x.example is not a sender domain of institution b, which this client sends for");
    private static readonly SigningRefusal Unmapped = new(SigningRefusalKind.UnmappedPeer, "this client is not tied to any institution, so it may not send as x.example");

    public static TheoryData<SigningRefusal, int, string?, string> Http() => new()
    {
        { Ambiguous, 400, "ambiguous-header", "the message cannot be signed: ambiguous header: line 1 begins with U+000B" },
        { NoFrom, 400, "no-from", "the message cannot be signed: the message has no From header" },
        { SigningRefusal.Unreadable("no header section"), 400, "unreadable-message", "the message cannot be signed: no header section" },
        { Policy, 422, null, "signing is not enabled for x.example" },
    };

    [Theory]
    [MemberData(nameof(Http))]
    public void ToServiceError_EachKind_HasItsStatusCodeAndDetail(SigningRefusal refusal, int status, string? code, string detail)
    {
        var problem = ErrorResponses.Problem(refusal.ToServiceError(), new DefaultHttpContext()).ProblemDetails;

        Assert.Equal((status, detail), (problem.Status, problem.Detail));
        Assert.Equal(code, problem.Extensions.TryGetValue("code", out var c) ? (string?)c : null);
        Assert.Equal(status == 400 ? "message" : null, problem.Extensions.TryGetValue("field", out var f) ? (string?)f : null);
    }

    public static TheoryData<SigningRefusal, MilterErrorAction, MilterForeignDomainAction, string?> Milter() => new()
    {
        // A fault of the message passes unsigned, but an ambiguous header under OnError=tempfail is held back (a reject: it is permanent).
        { Ambiguous, MilterErrorAction.Tempfail, MilterForeignDomainAction.Reject, "550 5.6.0 not signed: ambiguous header: line 1 begins with U+000B" },
        { Ambiguous, MilterErrorAction.Accept, MilterForeignDomainAction.Reject, null },
        { NoFrom, MilterErrorAction.Tempfail, MilterForeignDomainAction.Reject, null },
        { Policy, MilterErrorAction.Accept, MilterForeignDomainAction.Tempfail, "550 5.7.1 not signed: signing is not enabled for x.example" },
        { Foreign, MilterErrorAction.Tempfail, MilterForeignDomainAction.Reject, "550 5.7.1 not signed: x.example is not a sender domain of institution b, which this client sends for" },
        { Foreign, MilterErrorAction.Tempfail, MilterForeignDomainAction.Tempfail, "451 4.7.1 not signed: x.example is not a sender domain of institution b, which this client sends for" },
        { Unmapped, MilterErrorAction.Accept, MilterForeignDomainAction.Tempfail, "451 4.7.1 not signed: this client is not tied to any institution, so it may not send as x.example" },
    };

    [Theory]
    [MemberData(nameof(Milter))]
    public void SmtpReply_EachKind_IsTheMilterAnswer(SigningRefusal refusal, MilterErrorAction onError, MilterForeignDomainAction onForeign, string? reply)
    {
        Assert.Equal(reply, SigningTransaction.SmtpReply(refusal, new MilterOptions { OnError = onError, OnForeignDomain = onForeign }));
    }

    [Fact]
    public void SmtpReply_ReasonWithLineBreaksAndNonAscii_IsOnePrintableLine()
    {
        var reply = SigningTransaction.SmtpReply(new SigningRefusal(SigningRefusalKind.Policy, "müseum.example\r\nis not signed"), new MilterOptions());

        Assert.Equal("550 5.7.1 not signed: m seum.example  is not signed", reply);
    }

    [Fact]
    public void Code_AndMetricReason_FollowTheFault()
    {
        Assert.Equal(("ambiguous-header", "ambiguous-header"), (Ambiguous.Code, Ambiguous.MetricReason));
        Assert.Equal(("no-from", "malformed"), (NoFrom.Code, NoFrom.MetricReason));
        Assert.Equal(("policy", "policy"), (Policy.Code, Policy.MetricReason));
        Assert.Equal(("foreign-domain", "unmapped-peer"), (Foreign.Code, Unmapped.Code));
    }
}
