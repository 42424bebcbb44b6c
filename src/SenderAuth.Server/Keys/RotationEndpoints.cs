using SenderAuth.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dkim;

namespace SenderAuth.Server.Keys;

/// <summary>Where a domain's DKIM key rotation stands, and rotation now (manual or emergency); the rotator itself runs in Monitoring.</summary>
public static class RotationEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions/{code}/domains/{domain}").WithTags("Rotation and history");
        g.MapGet("/rotation", GetAsync).RequireScope(ApiScope.Read).WithSummary("The rotation: step, signing selector, next step and when, next scheduled rotation; ?key=ed25519 for the Ed25519 pair");
        g.MapPost("/rotation", RequestAsync).RequireScope(ApiScope.ManageDomains).Accepts<RotationRequest>("application/json")
            .WithSummary("Rotate now ({\"emergency\": true} after a compromise: shorter waits, still never a key DNS does not serve); ?key=ed25519 rotates the Ed25519 pair");
    }

    private static async Task<Results<Ok<RotationStatus>, ProblemHttpResult>> GetAsync(HttpContext http, SenderAuthDb db, IOptions<ProviderOptions> provider, string code, string domain, string? key)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !QueryWords.Parse(key, "key", DkimKeyType.Rsa).TryGet(out var type, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Ok(await StatusAsync(db, provider.Value, found.Institution, found.Domain, http.RequestAborted, type).ConfigureAwait(false));
    }

    private static async Task<Results<Accepted<RotationStatus>, ProblemHttpResult>> RequestAsync(HttpContext http, SenderAuthDb db, IOptions<ProviderOptions> provider, IOptions<MonitorOptions> monitor, TimeProvider time, string code, string domain, string? key)
    {
        var caller = Caller.From(http);
        if (!(await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !QueryWords.Parse(key, "key", DkimKeyType.Rsa).TryGet(out var type, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var (institution, row) = found;
        // An empty body is a plain request; a JSON body is read whatever its framing (chunked bodies have no length).
        var body = new RotationRequest(false);
        if (http.Request.HasJsonContentType() && !(await RequestBody.ReadAsync<RotationRequest>(http.Request).ConfigureAwait(false)).TryGet(out body, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var group = Group(provider.Value, institution.Code, row.Name, type);
        var rotation = await db.Rotations.FirstOrDefaultAsync(r => r.GroupTarget == group, http.RequestAborted).ConfigureAwait(false);
        if (rotation is null)
        {
            return ErrorResponses.Problem(new ServiceError.Conflict(type == DkimKeyType.Ed25519
                ? $"the Ed25519 key of {row.Name} does not sign yet: turn it on (…/ed25519) and publish its CNAMEs first"
                : $"{row.Name} does not sign yet: enable signing first"), http);
        }
        var now = time.GetUtcNow().UtcDateTime;
        var emergency = body.Emergency ?? false;
        if (rotation.Step is not (RotationStep.Idle or RotationStep.Blocked))
        {
            if (!emergency || rotation.Step != RotationStep.Retaining)
            {
                return ErrorResponses.Problem(new ServiceError.Conflict($"a rotation is in progress (step {SenderAuthJson.Token(rotation.Step)}); {(emergency ? "an emergency can only cut the retention short" : "wait for it to finish")}"), http);
            }
            // Compromised old key: revoke it at the next tick instead of after the retention.
            rotation.StepDueAt = now;
            rotation.Emergency = true;
        }
        else
        {
            var min = monitor.Value.MinRotationInterval;
            if (!emergency && rotation.LastRotatedAt is { } last && now - last < min)
            {
                return ErrorResponses.Problem(new ServiceError.Conflict($"the last rotation finished {last:u}; rotations are at least {min.TotalDays:0.#} days apart unless it is an emergency"), http);
            }
            rotation.Step = RotationStep.Idle;
            rotation.Requested = true;
            rotation.Emergency = emergency;
            rotation.BlockedReason = null;
        }
        db.Record(time, caller, institution.Id, emergency ? AuditActions.RotationEmergency : AuditActions.RotationRequest, group);
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/v1/institutions/{code}/domains/{row.Name}/rotation", await StatusAsync(db, provider.Value, institution, row, http.RequestAborted, type).ConfigureAwait(false));
    }

    /// <summary>The rotation row of a pair is named by its first target; the Ed25519 pair has its own (same steps).</summary>
    private static string Group(ProviderOptions provider, string code, string domain, DkimKeyType type) => provider.KeyTargets(code, domain, type)[0].Target;

    internal static async Task<RotationStatus> StatusAsync(SenderAuthDb db, ProviderOptions provider, Institution institution, SenderDomain domain, CancellationToken ct,
        DkimKeyType type = DkimKeyType.Rsa)
    {
        var group = Group(provider, institution.Code, domain.Name, type);
        var rotation = await db.Rotations.AsNoTracking().FirstOrDefaultAsync(r => r.GroupTarget == group, ct).ConfigureAwait(false);
        var targets = provider.KeyTargets(institution.Code, domain.Name, type).Select(t => t.Target).ToList();
        var active = await db.Keys.AsNoTracking().FirstOrDefaultAsync(k => targets.Contains(k.TargetName) && k.State == DkimKeyState.Active, ct).ConfigureAwait(false);
        var next = rotation switch
        {
            null => "enable signing to start rotating",
            { Step: RotationStep.Idle, Requested: true } => "start the requested rotation at the next tick",
            { Step: RotationStep.Idle } => $"scheduled rotation at {rotation.NextRotationAt:u}",
            { Step: RotationStep.Generated } => "publish the new key",
            { Step: RotationStep.Publishing, ServedAt: null } => "wait until DNS serves the new key through every CNAME",
            { Step: RotationStep.Publishing } => $"switch signing at {rotation.StepDueAt:u} (the record's TTL after it was first served)",
            { Step: RotationStep.Retaining } => $"revoke the old key at {rotation.StepDueAt:u}",
            _ => $"stopped: {rotation.BlockedReason}; request a rotation to start again",
        };
        return new RotationStatus(domain.Name, rotation?.Step ?? RotationStep.Idle, active?.Selector, active?.CreatedAt, next, rotation?.StepDueAt,
            rotation?.ServedAt, rotation?.NextRotationAt, rotation?.LastRotatedAt, rotation?.Emergency ?? false, rotation?.BlockedReason);
    }
}

public sealed record RotationRequest(bool? Emergency);

/// <summary>Where a domain's rotation stands: GET …/rotation answers it, the dashboard's timeline shows it.</summary>
public sealed record RotationStatus(string Domain, RotationStep Step, string? SigningSelector, DateTime? SigningKeyCreatedAt, string Next,
    DateTime? StepDueAt, DateTime? ServedAt, DateTime? NextRotationAt, DateTime? LastRotatedAt, bool Emergency, string? Reason);
