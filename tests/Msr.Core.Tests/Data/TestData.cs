using System.Text;

namespace Msr.Core.Tests.Data;

/// <summary>Locates the optional real data (../shared/data next to the repository root) and makes temp folders.</summary>
static class TestData
{
    /// <summary>The shared real-data folder, or null when absent (a fresh clone): tests that need it return early.</summary>
    public static string? SharedData(params string[] sub)
    {
        var root = RepositoryRoot();
        if (root.Parent is null) return null;
        var path = Path.Combine([root.Parent.FullName, "shared", "data", .. sub]);
        return Directory.Exists(path) || File.Exists(path) ? path : null;
    }

    /// <summary>The folder holding Msr.sln, found upwards from the test assembly.</summary>
    public static DirectoryInfo RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Msr.sln"))) dir = dir.Parent;
        return dir ?? throw new DirectoryNotFoundException($"no Msr.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A temporary folder removed on dispose; fixtures are written into it in the real formats.</summary>
sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "msr-test-" + Guid.NewGuid().ToString("N")));
    public string Path { get; }

    public string Write(string name, string content, Encoding? encoding = null)
    {
        var p = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content, encoding ?? new UTF8Encoding(false));
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
