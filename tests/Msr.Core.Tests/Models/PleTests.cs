using Msr.Core.Data;
using Msr.Core.Models;
using Xunit;

namespace Msr.Core.Tests.Models;

public sealed class PleTests
{
    static DatasetSchema MovieLensShape() => new(
    [
        FeatureSpec.Sparse("user_id", 6040), FeatureSpec.Sparse("movie_id", 3706), FeatureSpec.Sparse("gender", 2),
        FeatureSpec.Sparse("occupation", 21), FeatureSpec.Sparse("zip", 3439), FeatureSpec.Sparse("cate_id", 18),
        FeatureSpec.Dense("age"),
    ], ["young", "middle", "old"]);

    [Fact]
    public void Ple_has_the_reference_parameter_count_on_movielens()
    {
        // Spec Appendix A: 12,583 non-embedding + 211,616 embedding = 224,199 (= paper Table 4's 224.20K).
        using var model = ModelRegistry.Create("ple", new ModelContext(MovieLensShape(), "movielens"), new Settings());
        Assert.Equal(224_199, model.ParameterCount);
    }

    [Fact]
    public void Ple_without_shared_experts_is_a_different_model()
    {
        using var model = ModelRegistry.Create("PLE", new ModelContext(MovieLensShape()), new Settings([new("shared_experts", "0")]));
        // One shared expert (Linear 97→16 + BN 16 = 1,600) fewer, and each of the 3 gates mixes 2 experts
        // instead of 3: Linear 97→2 + BN 2 = 200 instead of Linear 97→3 + BN 3 = 300.
        Assert.Equal(224_199 - 1_600 - 3 * (300 - 200), model.ParameterCount);
    }
}
