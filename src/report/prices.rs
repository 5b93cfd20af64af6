//! What tokens cost: a price table per model (USD per million input, output, cache-write
//! and cache-read tokens), built in for current Claude, OpenAI and Gemini models and
//! overridden or extended by `prices:` in ide.yml. A model not in the table, or tokens of
//! a kind whose price is not given, leave the cost unknown: never guessed. A cost the
//! agent reports itself (Aider) wins over the table.
use std::collections::BTreeMap;

use crate::agent::usage::Usage;
use crate::config::PriceSpec;

/// The built-in prices, USD per million tokens: (model, input, output, cache write,
/// cache read). List prices from the providers' pricing pages (anthropic.com/pricing,
/// openai.com/api/pricing, ai.google.dev/gemini-api/docs/pricing) as they stood in late
/// 2025, the latest this table was checked against: Claude cache writes at the 5-minute
/// rate (1.25× input); OpenAI charges no cache writes (they never appear in its usage);
/// Gemini 2.5 Pro at its ≤200k-token-prompt rate. Prices change: put current ones (or a
/// negotiated rate) under `prices:` in ide.yml.
pub const DEFAULT_PRICES: &[(&str, f64, f64, f64, f64)] = &[
    ("claude-opus-4-5", 5.0, 25.0, 6.25, 0.50),
    ("claude-opus-4-1", 15.0, 75.0, 18.75, 1.50),
    ("claude-opus-4", 15.0, 75.0, 18.75, 1.50),
    ("claude-sonnet-4-5", 3.0, 15.0, 3.75, 0.30),
    ("claude-sonnet-4", 3.0, 15.0, 3.75, 0.30),
    ("claude-3-7-sonnet", 3.0, 15.0, 3.75, 0.30),
    ("claude-haiku-4-5", 1.0, 5.0, 1.25, 0.10),
    ("claude-3-5-haiku", 0.80, 4.0, 1.0, 0.08),
    ("gpt-5.1", 1.25, 10.0, 1.25, 0.125),
    ("gpt-5.1-codex", 1.25, 10.0, 1.25, 0.125),
    ("gpt-5", 1.25, 10.0, 1.25, 0.125),
    ("gpt-5-codex", 1.25, 10.0, 1.25, 0.125),
    ("gpt-5-mini", 0.25, 2.0, 0.25, 0.025),
    ("gpt-5-nano", 0.05, 0.40, 0.05, 0.005),
    ("gpt-4.1", 2.0, 8.0, 2.0, 0.50),
    ("gpt-4.1-mini", 0.40, 1.60, 0.40, 0.10),
    ("gpt-4o", 2.50, 10.0, 2.50, 1.25),
    ("gpt-4o-mini", 0.15, 0.60, 0.15, 0.075),
    ("o3", 2.0, 8.0, 2.0, 0.50),
    ("o4-mini", 1.10, 4.40, 1.10, 0.275),
    ("gemini-3-pro-preview", 2.0, 12.0, 2.0, 0.20),
    ("gemini-2.5-pro", 1.25, 10.0, 1.25, 0.125),
    ("gemini-2.5-flash", 0.30, 2.50, 0.30, 0.03),
    ("gemini-2.5-flash-lite", 0.10, 0.40, 0.10, 0.01),
];

/// The prices in effect: the built-in table with ide.yml's `prices:` over it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    table: BTreeMap<String, PriceSpec>,
}

impl Default for Prices {
    fn default() -> Self {
        Prices::new(&BTreeMap::new())
    }
}

impl Prices {
    pub fn new(overrides: &BTreeMap<String, PriceSpec>) -> Prices {
        let mut table: BTreeMap<String, PriceSpec> = DEFAULT_PRICES
            .iter()
            .map(|&(m, input, output, w, r)| {
                let spec = PriceSpec { input, output, cache_write: Some(w), cache_read: Some(r) };
                (m.to_string(), spec)
            })
            .collect();
        table.extend(overrides.iter().map(|(k, v)| (k.to_lowercase(), *v)));
        Prices { table }
    }

    /// The prices of `model`: its exact name (lower case, without a `provider/` prefix),
    /// or that name without a release suffix (`-20250929`, `-latest`, `@20250929`).
    pub fn lookup(&self, model: &str) -> Option<&PriceSpec> {
        let name = model.trim().to_lowercase();
        let name = name.rsplit('/').next().unwrap_or(&name);
        if let Some(p) = self.table.get(name) {
            return Some(p);
        }
        let base = name.strip_suffix("-latest").or_else(|| {
            let (head, tail) = name.rsplit_once(['-', '@'])?;
            (tail.len() == 8 && tail.bytes().all(|b| b.is_ascii_digit())).then_some(head)
        })?;
        self.table.get(base)
    }

    /// What `usage` cost: the agent's own figure, else the table's; `None` when unknown.
    pub fn cost(&self, usage: &Usage) -> Option<f64> {
        if let Some(cost) = usage.cost_usd {
            return Some(cost);
        }
        let p = self.lookup(usage.model.as_deref()?)?;
        let part = |tokens: u64, price: Option<f64>| match (tokens, price) {
            (0, _) => Some(0.0),
            (n, Some(per_m)) => Some(n as f64 * per_m / 1e6),
            (_, None) => None,
        };
        Some(
            part(usage.input_tokens, Some(p.input))?
                + part(usage.output_tokens, Some(p.output))?
                + part(usage.cache_write_tokens, p.cache_write)?
                + part(usage.cache_read_tokens, p.cache_read)?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(model: &str, i: u64, o: u64, w: u64, r: u64) -> Usage {
        Usage {
            model: Some(model.into()),
            input_tokens: i,
            output_tokens: o,
            cache_write_tokens: w,
            cache_read_tokens: r,
            ..Usage::default()
        }
    }

    #[test]
    fn dated_and_prefixed_names_find_their_model_and_unknown_ones_do_not() {
        let p = Prices::default();
        assert_eq!(p.lookup("claude-sonnet-4-5-20250929").unwrap().output, 15.0);
        assert_eq!(p.lookup("anthropic/claude-opus-4-5").unwrap().input, 5.0);
        assert_eq!(p.lookup("gpt-4o").unwrap().cache_read, Some(1.25));
        assert!(
            p.lookup("claude-sonnet-4-7").is_none(),
            "a newer model is not priced as an older one"
        );
        assert!(p.lookup("gpt-6.2-sol").is_none());
        assert!(p.lookup("gemini-2.5-pro-preview").is_none());
    }

    #[test]
    fn cost_adds_each_kind_at_its_price_and_the_agents_own_figure_wins() {
        let p = Prices::default();
        let u = usage("claude-sonnet-4-5", 1_000_000, 100_000, 200_000, 2_000_000);
        let want = 3.0 + 1.5 + 0.75 + 0.6;
        assert!((p.cost(&u).unwrap() - want).abs() < 1e-9);
        let reported = Usage { cost_usd: Some(0.0072), ..usage("unknown-model", 2700, 43, 0, 0) };
        assert_eq!(p.cost(&reported), Some(0.0072));
        assert_eq!(p.cost(&usage("mystery-1", 10, 10, 0, 0)), None);
        assert_eq!(p.cost(&Usage { model: None, ..usage("x", 1, 1, 0, 0) }), None);
    }

    #[test]
    fn ide_yml_prices_override_and_a_missing_cache_price_leaves_cache_tokens_unknown() {
        let mut o = BTreeMap::new();
        o.insert(
            "GPT-6.2-Sol".into(),
            PriceSpec { input: 2.0, output: 8.0, cache_write: None, cache_read: None },
        );
        o.insert(
            "claude-sonnet-4-5".into(),
            PriceSpec { input: 1.0, output: 1.0, cache_write: None, cache_read: Some(0.1) },
        );
        let p = Prices::new(&o);
        assert!((p.cost(&usage("gpt-6.2-sol", 1_000_000, 0, 0, 0)).unwrap() - 2.0).abs() < 1e-9);
        assert_eq!(p.cost(&usage("gpt-6.2-sol", 1, 0, 0, 5)), None);
        assert!(
            (p.cost(&usage("claude-sonnet-4-5-20250929", 1_000_000, 0, 0, 0)).unwrap() - 1.0).abs()
                < 1e-9
        );
    }
}
