using System.Security.Cryptography;
using Msr.Core.Data;
using Xunit;

namespace Msr.Core.Tests.Data;

public sealed class FileContentHashTests
{
    [Fact]
    public void The_hash_is_the_SHA256_of_the_bytes_and_a_memo_folder_keeps_it_for_other_processes()
    {
        using var dir = new TempDir();
        var file = dir.Write("data.csv", "a,b\n1,2\n");
        var memo = Path.Combine(dir.Path, "memo");
        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        Assert.Equal(expected, FileContentHash.Of(file, memo));
        var entry = Assert.Single(Directory.GetFiles(memo));
        Assert.EndsWith(FileContentHash.MemoExtension, entry);
        Assert.EndsWith(expected + "\n", File.ReadAllText(entry));
        // Another process (this one, forgetting) answers from the entry without reading the file: a doctored entry shows it.
        FileContentHash.ForgetInProcess();
        var doctored = new string('0', 64);
        File.WriteAllText(entry, File.ReadAllText(entry).Replace(expected, doctored));
        Assert.Equal(doctored, FileContentHash.Of(file, memo));
    }

    [Fact]
    public void A_changed_file_is_hashed_again_and_a_broken_entry_is_a_miss()
    {
        using var dir = new TempDir();
        var file = dir.Write("data.csv", "a,b\n1,2\n");
        var memo = Path.Combine(dir.Path, "memo");
        var before = FileContentHash.Of(file, memo);
        var time = File.GetLastWriteTimeUtc(file);
        File.WriteAllText(file, "a,b\n1,3\n"); // same size
        File.SetLastWriteTimeUtc(file, time.AddSeconds(1));
        var after = FileContentHash.Of(file, memo);
        Assert.NotEqual(before, after);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), after);
        Assert.Equal(2, Directory.GetFiles(memo).Length);
        FileContentHash.ForgetInProcess();
        foreach (var entry in Directory.GetFiles(memo)) File.WriteAllText(entry, "truncated");
        Assert.Equal(after, FileContentHash.Of(file, memo));
        Assert.Contains(Directory.GetFiles(memo), e => File.ReadAllText(e).EndsWith(after + "\n"));
    }

    [Fact]
    public void A_memo_folder_that_cannot_be_written_costs_only_the_hashing()
    {
        using var dir = new TempDir();
        var file = dir.Write("data.csv", "a,b\n1,2\n");
        var blocked = dir.Write("memo", "a file where the folder would go");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), FileContentHash.Of(file, Path.Combine(blocked, "inner")));
    }
}
