//! A JSON tree that loses nothing a user wrote but whitespace: scalars keep their exact
//! source text (a 30-digit integer or `1e400` is not rounded through `f64`), object keys
//! keep their order and duplicates. `serde_json`'s `arbitrary_precision` would do the
//! same for `Value`, but it changes `Number` for the whole crate (untagged and flattened
//! types stop reading numbers), so the settings editor uses this instead.
use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

#[derive(Debug, Clone)]
pub enum Node {
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    /// A string, number, boolean or null, as written.
    Scalar(Box<RawValue>),
}

impl Node {
    pub fn parse(text: &str) -> serde_json::Result<Node> {
        serde_json::from_str(text)
    }

    pub fn string(s: &str) -> Node {
        let raw = serde_json::to_string(s).expect("a string serialises");
        Node::Scalar(RawValue::from_string(raw).expect("a serialised string is JSON"))
    }

    pub fn object(entries: Vec<(&str, Node)>) -> Node {
        Node::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// The text tmux-ide writes: pretty-printed, with a final newline.
    pub fn to_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a parsed tree serialises");
        text.push('\n');
        text
    }

    /// The value of `key`; the last one when it appears twice, as JavaScript reads it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Object(entries) => {
                entries.iter_mut().rev().find(|(k, _)| k == key).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<String> {
        match self {
            Node::Scalar(raw) => serde_json::from_str::<String>(raw.get()).ok(),
            _ => None,
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Node::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Node::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Scalar(raw) => raw.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        match raw.get().as_bytes().first() {
            Some(b'{') => Ok(Node::Object(
                serde_json::from_str::<Entries>(raw.get()).map_err(D::Error::custom)?.0,
            )),
            Some(b'[') => {
                Ok(Node::Array(serde_json::from_str(raw.get()).map_err(D::Error::custom)?))
            }
            _ => Ok(Node::Scalar(raw)),
        }
    }
}

/// An object's entries in order, duplicates kept.
struct Entries(Vec<(String, Node)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entries, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Node>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_key_order_and_duplicates_survive_a_round_trip() {
        let text = r#"{"z": 123456789012345678901234567890, "a": [1.50, -0, 1e400, 9007199254740993],
            "s": "caf\u00e9", "a": null, "m": {"b": true, "a": {}}}"#;
        let out = Node::parse(text).unwrap().to_pretty();
        let compact: String = out.split_whitespace().collect();
        assert_eq!(
            compact,
            r#"{"z":123456789012345678901234567890,"a":[1.50,-0,1e400,9007199254740993],"s":"caf\u00e9","a":null,"m":{"b":true,"a":{}}}"#
        );
        let doc = Node::parse(text).unwrap();
        assert!(matches!(doc.get("a"), Some(Node::Scalar(raw)) if raw.get() == "null"));
        assert_eq!(doc.get("s").and_then(Node::as_str).as_deref(), Some("café"));
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(Node::parse("{ not json").is_err());
        assert!(Node::parse("{} trailing").is_err());
    }
}
