using Msr.Core.Data;
using Msr.Core.Models;
using Xunit;

namespace Msr.Core.Tests.Models;

/// <summary>Exact parameter counts of spec Appendix A (embeddings included, BatchNorm running statistics excluded).</summary>
public sealed class ParameterCountTests
{
    static long Count(string model, DatasetSchema schema, string preset)
    {
        using var m = ModelRegistry.Create(model, new ModelContext(schema, preset), new Settings());
        return m.ParameterCount;
    }

    static long EmbeddingParameters(DatasetSchema schema) => schema.SparseFeatures.Sum(f => (long)f.Vocabulary * f.EmbeddingDim);

    [Fact]
    public void MovieLens_embedding_parameters_match_the_spec()
    {
        Assert.Equal(211_616, EmbeddingParameters(TestData.MovieLens()));
    }

    [Theory]
    [InlineData("SharedBottom", 227_587)]
    [InlineData("MMoE", 217_799)]
    [InlineData("STAR", 308_627)]
    public void MovieLens_totals_match_appendix_A(string model, long expected)
    {
        Assert.Equal(expected, Count(model, TestData.MovieLens(), "movielens"));
    }

    // Non-embedding counts of Appendix A.1 for the datasets whose input is easy to shape:
    // Amazon (2 sparse, no dense, S=3, D=32), Douban (4 sparse, no dense, S=3, D=64),
    // MIND (3 sparse, no dense, S=4, D=48), KuaiRand (32 sparse + 4 dense, S=5, D=516),
    // Ali-CCP (23 sparse + 8 dense, S=3, D=376).
    public static TheoryData<string, string, int, int, int, long> NonEmbeddingCases => new()
    {
        { "SharedBottom", "amazon", 2, 0, 3, 7_651 },
        { "MMoE", "amazon", 2, 0, 3, 2_478 },
        { "STAR", "amazon", 2, 0, 3, 61_131 },
        { "SharedBottom", "douban", 4, 0, 3, 11_747 },
        { "MMoE", "douban", 4, 0, 3, 4_302 },
        { "STAR", "douban", 4, 0, 3, 78_795 },
        { "SharedBottom", "mind", 3, 0, 4, 48_772 },
        { "MMoE", "mind", 3, 0, 4, 9_652 },
        { "STAR", "mind", 3, 0, 4, 87_150 },
        { "SharedBottom", "kuairand", 32, 4, 5, 119_237 },
        { "MMoE", "kuairand", 32, 4, 5, 98_900 },
        { "STAR", "kuairand", 32, 4, 5, 484_353 },
        { "SharedBottom", "aliccp", 23, 8, 3, 722_771 },
        { "MMoE", "aliccp", 23, 8, 3, 428_238 },
        { "STAR", "aliccp", 23, 8, 3, 573_787 },
    };

    [Theory]
    [MemberData(nameof(NonEmbeddingCases))]
    public void Non_embedding_counts_match_appendix_A(string model, string preset, int sparseFields, int denseFields, int scenarios, long expected)
    {
        // Small vocabularies keep the tables cheap; the embedding part is subtracted anyway.
        var schema = TestData.Shaped([.. Enumerable.Range(0, sparseFields).Select(j => 5 + j)], denseFields, scenarios);
        Assert.Equal(expected, Count(model, schema, preset) - EmbeddingParameters(schema));
    }

    [Fact]
    public void BaseDnn_counts_its_mlp_and_tables()
    {
        // 97 → 256 → 128 → 64 → 1 with BatchNorm affine parameters: Linear (in+1)·out, BN 2·out.
        long mlp = (97 + 1) * 256 + 2 * 256 + (256 + 1) * 128 + 2 * 128 + (128 + 1) * 64 + 2 * 64 + (64 + 1) * 1;
        Assert.Equal(211_616 + mlp, Count("BaseDNN", TestData.MovieLens(), "movielens"));
    }

    [Fact]
    public void BaseDnn_with_scenario_feature_adds_a_scenario_table()
    {
        var schema = TestData.MovieLens();
        using var plain = ModelRegistry.Create("BaseDNN", new ModelContext(schema), new Settings());
        using var withScenario = ModelRegistry.Create("BaseDNN", new ModelContext(schema),
            new Settings([new("scenario_feature", "true")]));
        // + S×16 table, + 16 more inputs to the first Linear (16·256 weights).
        Assert.Equal(plain.ParameterCount + 3 * 16 + 16 * 256, withScenario.ParameterCount);
    }
}
