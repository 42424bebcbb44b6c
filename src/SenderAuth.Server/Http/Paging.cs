using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Http;

/// <summary>
/// One page of a list: page numbers start at 1. Made by <see cref="Read"/> (the API's <c>?page=&amp;pageSize=</c>,
/// refused when out of range) or <see cref="Clamp"/> (the dashboard's links, which never answer an error).
/// </summary>
public readonly record struct PageRequest(int Page, int Size)
{
    /// <summary>The page size when a request names none.</summary>
    public const int DefaultSize = 50;

    /// <summary>Rows before this page.</summary>
    public int Skip => (Page - 1) * Size;

    /// <summary>The API's page: <c>page</c> from 1 (default 1), <c>pageSize</c> from 1 to <see cref="ApiLimits.MaxPageSize"/> (default 50, or that maximum when smaller).</summary>
    public static Result<PageRequest> Read(int? page, int? pageSize, ApiLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var p = page ?? 1;
        var s = pageSize ?? Math.Min(DefaultSize, limits.MaxPageSize);
        if (p < 1)
        {
            return new ServiceError.Invalid("page starts at 1", "page");
        }
        if (s < 1 || s > limits.MaxPageSize)
        {
            return new ServiceError.Invalid($"pageSize must be between 1 and {limits.MaxPageSize}", "pageSize");
        }
        return new PageRequest(p, s);
    }

    /// <summary>A page a link asked for, brought into range (page 1 for nonsense) rather than refused.</summary>
    public static PageRequest Clamp(int? page, int size) => new(Math.Max(1, page ?? 1), Math.Max(1, size));

    /// <summary>How many pages <paramref name="total"/> items fill (at least 1, so an empty list is "page 1 of 1").</summary>
    public static int PageCount(int total, int size) => Math.Max(1, (total + size - 1) / size);
}

/// <summary>
/// The one place a list becomes a page: count, Skip and Take, in the order the caller gives. Every list endpoint and
/// the dashboard page through here, so page arithmetic and the <see cref="PagedList{T}"/> shape cannot drift.
/// </summary>
public static class Paging
{
    /// <summary>
    /// Counts the query and reads one page of it. The query must be ordered by a unique key (or end with one, e.g.
    /// <c>ThenBy(x =&gt; x.Id)</c>): without a stable order a row can show on two pages or on none.
    /// </summary>
    public static Task<PagedList<T>> ToPagedListAsync<T>(this IOrderedQueryable<T> ordered, PageRequest page, CancellationToken ct) =>
        ordered.ToPagedListAsync(page, x => x, ct);

    /// <summary>As <see cref="ToPagedListAsync{T}(IOrderedQueryable{T}, PageRequest, CancellationToken)"/>, projecting each row in the database.</summary>
    public static async Task<PagedList<TItem>> ToPagedListAsync<T, TItem>(this IOrderedQueryable<T> ordered, PageRequest page, Expression<Func<T, TItem>> select, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        var total = await ordered.CountAsync(ct).ConfigureAwait(false);
        var items = await ordered.Skip(page.Skip).Take(page.Size).Select(select).ToListAsync(ct).ConfigureAwait(false);
        return new PagedList<TItem>(items, page.Page, page.Size, total);
    }

    /// <summary>One page of a list already in memory (in its order), as the database pages do.</summary>
    public static PagedList<T> ToPagedList<T>(this IReadOnlyList<T> all, PageRequest page)
    {
        ArgumentNullException.ThrowIfNull(all);
        return new PagedList<T>(all.Skip(page.Skip).Take(page.Size).ToList(), page.Page, page.Size, all.Count);
    }

    /// <summary>The same page with each item converted (after the query: what cannot run in the database).</summary>
    public static PagedList<TOut> Map<T, TOut>(this PagedList<T> list, Func<T, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(map);
        return new PagedList<TOut>(list.Items.Select(map).ToList(), list.Page, list.PageSize, list.Total);
    }
}
