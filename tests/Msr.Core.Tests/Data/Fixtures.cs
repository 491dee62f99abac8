using System.Globalization;
using System.Text;
using Msr.Core.Data.MovieLens;

namespace Msr.Core.Tests.Data;

/// <summary>
/// A trainable fixture per dataset loader: a few hundred rows in the loader's real format, built from the
/// per-loader fixture writers of the format tests (extended with more rows), with both labels in every scenario.
/// </summary>
static class Fixtures
{
    /// <summary>Every registered loader has a fixture here (checked by a test).</summary>
    public static IReadOnlyList<string> Loaders { get; } =
        ["synthetic", "movielens", "movielens-100k", "kuairand", "kuairand-raw", "aliccp", "aliccp-raw", "douban", "douban-raw", "mind", "mind-raw", "amazon", "csv"];

    const int Rows = 300;

    static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes the fixture of <paramref name="loader"/> into <paramref name="dir"/>; returns the path and loader options to load it with.</summary>
    public static (string? Path, Dictionary<string, string> Options) Write(string loader, TempDir dir)
    {
        var rng = new Random(17);
        int Click() => rng.Next(2);
        var options = new Dictionary<string, string>();
        switch (loader)
        {
            case "synthetic":
                options["rows"] = "1500";
                return (null, options);

            case "movielens":
                MovieLensFileWriter.Write(dir.Path, Rows, seed: 3, users: 60, movies: 40);
                return (dir.Path, options);

            case "movielens-100k":
                // Users 1-4 are aged 24, 53, 17, 30 (all three scenarios); items 1-3.
                MovieLensTests.WriteMl100K(dir);
                File.AppendAllLines(Path.Combine(dir.Path, "u.data"),
                    Enumerable.Range(0, Rows).Select(i => $"{1 + i % 4}\t{1 + rng.Next(3)}\t{1 + rng.Next(5)}\t{881250949 + i}"));
                return (dir.Path, options);

            case "kuairand":
                dir.Write("kuairand.csv", ProcessedLoaderTests.KuaiRandCsv([.. Enumerable.Range(0, Rows).Select(i => new[] { 0, 1, 2, 4, 6 }[i % 5])]));
                return (dir.Path, options);

            case "kuairand-raw":
                // Users 0, 1 and videos 10, 11 have features; tabs 0-4 make the top five.
                KuaiRandRawTests.Write(dir);
                File.AppendAllLines(Path.Combine(dir.Path, "log_standard_4_22_to_5_08_1k.csv"),
                    Enumerable.Range(0, Rows).Select(i => KuaiRandRawTests.Log(i % 2, 10 + rng.Next(2), Click(), i % 5)));
                return (dir.Path, options);

            case "aliccp":
            {
                string Part(int rows) => string.Join("\n",
                    [ProcessedLoaderTests.AliHeader, .. Enumerable.Range(0, rows).Select(i => ProcessedLoaderTests.AliRow(Click(), 1 + i % 3, rng.Next(20), rng.NextDouble()))]) + "\n";
                dir.Write("ali_ccp_train.csv", Part(Rows));
                dir.Write("ali_ccp_val.csv", Part(60));
                dir.Write("ali_ccp_test.csv", Part(60));
                return (dir.Path, options);
            }

            case "aliccp-raw":
            {
                // Common features ca, cb (train) and cc, cd (test); field 301 values p1-p3 are the three scenarios.
                string Samples(int first, int rows, string[] commons) => string.Join("\n", Enumerable.Range(first, rows).Select(i =>
                    AliCcpRawTests.Sample(i, Click(), 0, commons[i % 2], ("205", $"i{rng.Next(5)}", 1), ("301", $"p{1 + i % 3}", 1), ("508", "k", rng.Next(1, 4))))) + "\n";
                AliCcpRawTests.Write(dir, Samples(100, Rows, ["ca", "cb"]));
                dir.Write("sample_skeleton_test.csv", Samples(1000, 120, ["cc", "cd"]));
                options["min_count"] = "1";
                return (dir.Path, options);
            }

            case "douban":
            {
                var domains = new[] { "book", "movie", "music" };
                var lines = Enumerable.Range(0, Rows).Select(i =>
                    $"{rng.Next(30)},{rng.Next(50)},{Click()},{domains[i % 3]},{(i % 4 == 0 ? "" : "\"北京, 海淀\"")},2007-07-10,{(i % 5 == 0 ? "" : I(rng.Next(40)))}");
                dir.Write("douban.csv", "user_id,item_id,rating,domain,living_place,join_time,time_bin\n" + string.Join("\n", lines) + "\n");
                return (dir.Path, options);
            }

            case "douban-raw":
                // Users 1 and 2 are in users_cleaned.txt; others are left-joined with missing side features.
                DoubanRawTests.Write(dir);
                foreach (var file in new[] { "bookreviews_cleaned.txt", "moviereviews_cleaned.txt", "musicreviews_cleaned.txt" })
                    File.AppendAllText(Path.Combine(dir.Path, file), string.Concat(Enumerable.Range(0, Rows / 3).Select(i =>
                        file.StartsWith("book", StringComparison.Ordinal)
                            ? $"{1 + rng.Next(3)}\t{rng.Next(40)}\t{1 + rng.Next(5)}\t\tx\n"
                            : $"{1 + rng.Next(3)}\t{rng.Next(40)}\t{1 + rng.Next(5)}\tx\n")), new UTF8Encoding(false));
                return (dir.Path, options);

            case "mind":
            {
                var categories = new[] { "news", "lifestyle", "sports", "finance", "video" };
                var lines = Enumerable.Range(0, Rows).Select(i => $"U{rng.Next(30)},N{rng.Next(50)},{Click()},{categories[i % 5]},sub{rng.Next(4)}");
                dir.Write("mind.csv", "User_ID,News_ID,label,Category,SubCategory\n" + string.Join("\n", lines) + "\n");
                return (dir.Path, options);
            }

            case "mind-raw":
            {
                // News N1-N5 of categories news, sports, finance, news, video: four scenarios by size.
                RawFormatLoaderTests.WriteMind(dir);
                var behaviors = Enumerable.Range(0, Rows / 4).Select(i =>
                    $"{i + 1}\tU{rng.Next(20)}\t11/{11 + i % 5}/2019 {1 + i % 12}:00:00 PM\tN{1 + rng.Next(5)}\t" +
                    string.Join(" ", Enumerable.Range(0, 4).Select(t => $"N{1 + (i + t) % 5}-{Click()}")));
                dir.Write("behaviors.tsv", string.Join("\n", behaviors) + "\n");
                return (dir.Path, options);
            }

            case "amazon":
                foreach (var (file, prefix) in new[] { ("reviews_Beauty_5.json", "B"), ("reviews_Clothing_Shoes_and_Jewelry_5.json", "C"), ("reviews_Health_and_Personal_Care_5.json", "H") })
                    dir.Write(file, string.Concat(Enumerable.Range(0, Rows / 3).Select(_ =>
                        RawFormatLoaderTests.Review($"A{rng.Next(30)}", $"{prefix}{rng.Next(20):00}", 1 + rng.Next(5)))));
                return (dir.Path, options);

            case "csv":
            {
                var pages = new[] { "home", "search", "detail" };
                var lines = Enumerable.Range(0, Rows).Select(i => $"u{rng.Next(30)}\ti{rng.Next(40)}\t{rng.Next(100)}\t{rng.Next(15, 70)}\t{1 + rng.Next(5)}\t{pages[i % 3]}");
                var file = dir.Write("log.tsv", "user\titem\tprice\tage\trating\tpage\n" + string.Join("\n", lines) + "\n");
                options["sparse"] = "user,item";
                options["dense"] = "price";
                options["buckets"] = "age:3";
                options["label"] = "rating";
                options["label_threshold"] = "3";
                options["scenario"] = "page";
                return (file, options);
            }

            default:
                throw new ArgumentException($"no fixture for loader '{loader}'");
        }
    }
}
