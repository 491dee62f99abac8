using Msr.Core.Metrics;
using Xunit;

namespace Msr.Core.Tests.Metrics;

public sealed class AucTests
{
    /// <summary>Definition of AUC: P(score⁺ &gt; score⁻) + ½ P(score⁺ = score⁻) over all positive/negative pairs.</summary>
    static double BruteForce(double[] scores, float[] labels)
    {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (labels[i] != 1f) continue;
            for (int j = 0; j < scores.Length; j++)
            {
                if (labels[j] != 0f) continue;
                pairs++;
                if (scores[i] > scores[j]) wins += 1;
                else if (scores[i] == scores[j]) wins += 0.5;
            }
        }
        return wins / pairs;
    }

    static (double[] Scores, float[] Labels) RandomData(int seed, int n, int distinctScores)
    {
        var rng = new Random(seed);
        var scores = new double[n];
        var labels = new float[n];
        for (int i = 0; i < n; i++)
        {
            // Few distinct values: many ties, including ties across classes.
            scores[i] = rng.Next(distinctScores) / (double)distinctScores;
            // Labels correlated with the score so the AUC is far from 0.5.
            labels[i] = rng.NextDouble() < 0.2 + 0.6 * scores[i] ? 1f : 0f;
        }
        return (scores, labels);
    }

    [Theory]
    [InlineData(1, 50, 3)]
    [InlineData(2, 400, 7)]
    [InlineData(3, 1000, 40)]
    [InlineData(4, 777, 2)]
    [InlineData(5, 300, 100000)]
    public void Equals_brute_force_pairwise_count_with_ties(int seed, int n, int distinct)
    {
        var (scores, labels) = RandomData(seed, n, distinct);
        var expected = BruteForce(scores, labels);
        var actual = Auc.Compute(scores, labels);
        Assert.NotNull(actual);
        Assert.Equal(expected, actual!.Value, 12);
    }

    [Fact]
    public void Is_invariant_under_row_permutation()
    {
        var (scores, labels) = RandomData(11, 600, 9);
        var reference = Auc.Compute(scores, labels)!.Value;
        var rng = new Random(12);
        for (int round = 0; round < 5; round++)
        {
            var order = Enumerable.Range(0, scores.Length).OrderBy(_ => rng.Next()).ToArray();
            var permuted = Auc.Compute(order.Select(i => scores[i]).ToArray(), order.Select(i => labels[i]).ToArray());
            Assert.Equal(reference, permuted!.Value, 12);
        }
    }

    [Fact]
    public void Perfect_ranking_is_one()
    {
        Assert.Equal(1.0, Auc.Compute([0.1, 0.2, 0.8, 0.9], [0f, 0f, 1f, 1f]));
    }

    [Fact]
    public void Reversed_ranking_is_zero()
    {
        Assert.Equal(0.0, Auc.Compute([0.9, 0.8, 0.2, 0.1], [0f, 0f, 1f, 1f]));
    }

    [Fact]
    public void All_tied_scores_give_one_half()
    {
        Assert.Equal(0.5, Auc.Compute([0.3, 0.3, 0.3, 0.3, 0.3], [0f, 1f, 0f, 1f, 1f]));
    }

    [Fact]
    public void Known_small_case_with_a_cross_class_tie()
    {
        // Pairs (pos, neg): (0.4 vs 0.1) win, (0.4 vs 0.4) tie, (0.35 vs 0.1) win, (0.35 vs 0.4) loss → 2.5/4.
        Assert.Equal(0.625, Auc.Compute([0.1, 0.4, 0.35, 0.4], [0f, 0f, 1f, 1f]));
    }

    [Fact]
    public void Single_class_is_undefined()
    {
        Assert.Null(Auc.Compute([0.1, 0.5, 0.9], [1f, 1f, 1f]));
        Assert.Null(Auc.Compute([0.1, 0.5, 0.9], [0f, 0f, 0f]));
        Assert.Null(Auc.Compute([], []));
    }

    [Fact]
    public void NaN_score_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Auc.Compute([0.1, double.NaN, 0.9], [0f, 1f, 1f]));
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void Label_other_than_zero_or_one_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Auc.Compute([0.1, 0.2], [0f, 0.5f]));
    }

    [Fact]
    public void Length_mismatch_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Auc.Compute([0.1, 0.2, 0.3], [0f, 1f]));
    }
}
