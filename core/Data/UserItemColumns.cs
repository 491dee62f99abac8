namespace Msr.Core.Data;

/// <summary>
/// The usual names of a dataset's user and item id columns, as Msr's loaders and common CSV exports spell them
/// (MovieLens user_id/movie_id, KuaiRand video_id, MIND User_ID/News_ID, Amazon user/item or asin, Ali-CCP's
/// fields 101 and 205, the synthetic generator's user_id/item_id). Matching ignores case. Used to guess which
/// columns hold users and items where nothing says so: dataset statistics and PPNet's id features.
/// </summary>
public static class UserItemColumns
{
    /// <summary>User column names, most usual first.</summary>
    public static IReadOnlyList<string> UserNames { get; } = ["user_id", "user", "userid", "User_ID", "101"];

    /// <summary>Item column names, most usual first.</summary>
    public static IReadOnlyList<string> ItemNames { get; } = ["item_id", "item", "itemid", "movie_id", "video_id", "News_ID", "asin", "205"];

    /// <summary>The sparse feature with a user name earliest in <see cref="UserNames"/>, or null.</summary>
    public static string? FirstUser(DatasetSchema schema) => First(schema, UserNames);

    /// <summary>The sparse feature with an item name earliest in <see cref="ItemNames"/>, or null.</summary>
    public static string? FirstItem(DatasetSchema schema) => First(schema, ItemNames);

    /// <summary>
    /// [user, item] when exactly one sparse feature has a user name and exactly one another has an item name;
    /// null when either is missing or ambiguous, so that a guess is never a silent coin toss.
    /// </summary>
    public static string[]? Unambiguous(DatasetSchema schema)
    {
        var users = Matching(schema, UserNames);
        var items = Matching(schema, ItemNames);
        return users.Count == 1 && items.Count == 1 && users[0] != items[0] ? [users[0], items[0]] : null;
    }

    static List<string> Matching(DatasetSchema schema, IReadOnlyList<string> names) =>
        [.. schema.SparseFeatures.Select(f => f.Name).Where(n => names.Contains(n, StringComparer.OrdinalIgnoreCase))];

    static string? First(DatasetSchema schema, IReadOnlyList<string> names) =>
        names.Select(n => schema.SparseFeatures.FirstOrDefault(f => string.Equals(f.Name, n, StringComparison.OrdinalIgnoreCase))?.Name)
            .FirstOrDefault(n => n is not null);
}
