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
}
