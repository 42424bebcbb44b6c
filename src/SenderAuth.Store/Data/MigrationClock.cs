using System.Diagnostics;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SenderAuth.Store.Data;

/// <summary>
/// Times each migration one <see cref="IMigrator"/> applies, from EF Core's <c>MigrationApplying</c> diagnostic
/// event: a migration has completed when the next one starts, or when <see cref="Finish"/> is called after
/// <see cref="IMigrator.MigrateAsync"/> returned. A migration that threw is never reported as applied.
/// </summary>
/// <remarks>
/// EF Core raises no "migration applied" event, and its log line for "applying" carries no time; the diagnostic
/// listener is the one hook that sees each migration start without replacing EF's migrator. Events of other
/// migrators in the process (other test hosts) are told apart by the migrator instance.
/// </remarks>
internal sealed class MigrationClock : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly IMigrator _migrator;
    private readonly Action<string, long> _applied;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Stopwatch _clock = new();
    private readonly IDisposable _listeners;
    private string? _current;

    public MigrationClock(IMigrator migrator, Action<string, long> applied)
    {
        _migrator = migrator;
        _applied = applied;
        _listeners = DiagnosticListener.AllListeners.Subscribe(this);
    }

    /// <summary>The migration EF started and has not finished: after MigrateAsync threw, the one that failed.</summary>
    public string? Current => _current;

    /// <summary>Reports the migration in progress as applied: call it once MigrateAsync returned.</summary>
    public void Finish() => Complete();

    public void Dispose()
    {
        _listeners.Dispose();
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
            _subscriptions.Clear();
        }
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name != DbLoggerCategory.Name)
        {
            return;
        }
        lock (_subscriptions)
        {
            _subscriptions.Add(value.Subscribe(this, name => name == RelationalEventId.MigrationApplying.Name));
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is MigrationEventData data && ReferenceEquals(data.Migrator, _migrator))
        {
            Complete();
            _current = data.Migration.GetType().GetCustomAttribute<MigrationAttribute>()?.Id ?? data.Migration.GetType().Name;
            _clock.Restart();
        }
    }

    private void Complete()
    {
        if (_current is { } id)
        {
            _current = null;
            _applied(id, _clock.ElapsedMilliseconds);
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted() { }
    void IObserver<DiagnosticListener>.OnError(Exception error) { }
    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }
    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }
}
