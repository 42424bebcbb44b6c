using Microsoft.AspNetCore.Http;
using SenderAuth.Check;
using SenderAuth.Server.Http;

namespace SenderAuth.Tests.Server;

/// <summary>The one mapping from a typed error to its status and problem body, kind by kind, without a server.</summary>
[Trait("Layer", "server")]
public sealed class ServiceErrorMappingTests
{
    public static TheoryData<ServiceError, int, string, string?> Kinds() => new()
    {
        { new ServiceError.Invalid("bad code", "code"), 400, "Bad request", "code" },
        { new ServiceError.Invalid("the body is empty (null)"), 400, "Bad request", null },
        { new ServiceError.Unauthenticated("a valid API key is required: Authorization: Bearer <key>"), 401, "Unauthorized", null },
        { new ServiceError.Refused("this needs an operator key"), 403, "Forbidden", null },
        { new ServiceError.NotFound("no institution \"x\""), 404, "Not found", null },
        { new ServiceError.Conflict("x.example is already registered", "name"), 409, "Conflict", "name" },
        { new ServiceError.Conflict("a rotation is in progress"), 409, "Conflict", null },
        { new ServiceError.SigningBlocked("signing stays off for x.example: …", []), 409, "The DKIM delegation is not correct", null },
        { new ServiceError.Stale("the resource changed since you read it"), 412, "Precondition failed", null },
        { new ServiceError.PreconditionRequired("send If-Match with the ETag you read"), 428, "Precondition required", null },
        { new ServiceError.TooLarge("the message is larger than the limit"), 413, "Payload too large", null },
        { new ServiceError.UnsupportedMediaType("send the body as application/json"), 415, "Unsupported media type", null },
        { new ServiceError.NotSigned("unsigned by the institution's policy"), 422, "Not signed", null },
        { new ServiceError.QuotaExceeded("mosa has 100 domains", "SenderAuth:Quotas:MaxDomainsPerInstitution", 100), 409, "Conflict", null },
        { new ServiceError.RateLimited("too many requests", "SenderAuth:Limits:RequestsPerSecond", 5000, 1), 429, "Too many requests", null },
    };

    [Fact]
    public void Problem_QuotaAndRateLimit_NameTheLimitAndItsValue()
    {
        var quota = ErrorResponses.Problem(new ServiceError.QuotaExceeded("at the quota", "SenderAuth:Quotas:MaxWebhooksPerInstitution", 10), new DefaultHttpContext()).ProblemDetails;
        Assert.Equal(("SenderAuth:Quotas:MaxWebhooksPerInstitution", 10L), ((string)quota.Extensions["limit"]!, (long)quota.Extensions["limitValue"]!));
        var http = new DefaultHttpContext();
        var rate = ErrorResponses.Problem(new ServiceError.RateLimited("slow down", "SenderAuth:ClientLimits:FailedAuthPerMinute", 60, 42), http).ProblemDetails;
        Assert.Equal("SenderAuth:ClientLimits:FailedAuthPerMinute", rate.Extensions["limit"]);
        Assert.Equal("42", http.Response.Headers.RetryAfter.ToString());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Problem_ErrorKind_HasItsStatusTitleAndField(ServiceError error, int status, string title, string? field)
    {
        var http = new DefaultHttpContext { TraceIdentifier = "trace-1" };
        var result = ErrorResponses.Problem(error, http);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal(status, ErrorResponses.Status(error));
        Assert.Equal("application/problem+json", result.ContentType);
        var problem = result.ProblemDetails;
        Assert.Equal(status, problem.Status);
        Assert.Equal(title, problem.Title);
        Assert.Equal(error.Detail, problem.Detail);
        Assert.Equal(field, problem.Extensions.TryGetValue("field", out var f) ? f : null);
    }

    [Fact]
    public void Problem_SigningBlocked_CarriesTheFindings()
    {
        var finding = new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-cname-missing", "publish the CNAME");
        var result = ErrorResponses.Problem(new ServiceError.SigningBlocked("signing stays off", [finding]), new DefaultHttpContext());
        Assert.Equal([finding], Assert.IsAssignableFrom<IReadOnlyList<CheckFinding>>(result.ProblemDetails.Extensions["findings"]));
    }

    [Fact]
    public void Status_EveryKind_IsMapped()
    {
        // A kind added to the closed set without a status would throw here rather than in a request.
        var kinds = typeof(ServiceError).GetNestedTypes().Where(t => t.IsSubclassOf(typeof(ServiceError))).ToList();
        var mapped = Kinds().Select(row => row.Data.Item1.GetType()).ToHashSet();
        Assert.All(kinds, kind => Assert.Contains(kind, mapped));
    }
}
