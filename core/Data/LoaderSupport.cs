using Msr.Core.Features;

namespace Msr.Core.Data;

/// <summary>File lookup shared by the dataset loaders.</summary>
public static class LoaderSupport
{
    /// <summary>The dataset folder; a missing path is a <see cref="DataFormatException"/>.</summary>
    public static string Folder(DatasetRequest request, string dataset)
    {
        var path = request.Path ?? throw new ArgumentException($"dataset '{dataset}' needs a path (a folder with its files)");
        if (System.IO.File.Exists(path)) return Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(path)) throw new DataFormatException(path, 0, null, $"dataset '{dataset}': folder not found");
        return path;
    }

    /// <summary>The first existing file among <paramref name="candidates"/> in <paramref name="folder"/>.</summary>
    public static string File(string folder, params string[] candidates)
    {
        foreach (var c in candidates)
        {
            var p = Path.Combine(folder, c);
            if (System.IO.File.Exists(p)) return p;
        }
        throw new DataFormatException(Path.Combine(folder, candidates[0]), 0, null,
            "file not found" + (candidates.Length > 1 ? $" (also tried {string.Join(", ", candidates.Skip(1))})" : ""));
    }

    /// <summary>The request's path when it is a file, else the first of <paramref name="candidates"/> in that folder.</summary>
    public static string DataFile(DatasetRequest request, string dataset, params string[] candidates)
    {
        if (request.Path is { } p && System.IO.File.Exists(p)) return p;
        return File(Folder(request, dataset), candidates);
    }

    /// <summary>
    /// What is missing for a loader that reads, from a folder, one file of each group of accepted names in
    /// <paramref name="needs"/> (the first name of a group is the usual one): one message per missing file, naming it and
    /// what the loader expects; empty when everything is there. With <paramref name="fileAccepted"/> the path may also
    /// be the data file itself. Loaders resolve their files from the same name groups, so the check and the load agree.
    /// </summary>
    public static IReadOnlyList<string> MissingFiles(DatasetRequest request, string dataset, bool fileAccepted, IReadOnlyList<string[]> needs,
        string? alternative = null)
    {
        var expects = string.Join(", ", needs.Select(n => n[0])) + (alternative is null ? "" : $" ({alternative})");
        if (request.Path is not { } path) return [$"dataset '{dataset}' needs a path: {(fileAccepted ? "its file or " : "")}a folder with {expects}"];
        if (System.IO.File.Exists(path))
        {
            if (fileAccepted) return [];
            path = Path.GetDirectoryName(Path.GetFullPath(path))!;
        }
        else if (!Directory.Exists(path)) return [$"dataset '{dataset}': folder '{path}' not found; it should hold {expects}"];
        return
        [
            .. needs.Where(n => !n.Any(c => System.IO.File.Exists(Path.Combine(path, c))))
                .Select(n => $"dataset '{dataset}': file '{n[0]}' not found in '{path}'" +
                    (n.Length > 1 ? $" (nor {string.Join(", ", n.Skip(1))})" : "") + $"; the loader expects {expects}"),
        ];
    }
}
