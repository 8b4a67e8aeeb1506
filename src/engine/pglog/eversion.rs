//! `eversion_t` and the object bounds `last_backfill` is expressed in.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Models `eversion_t` (src/osd/osd_types.h): the OSDMap epoch an update was made in and the
/// PG's update counter. Ordered by epoch, then counter, as Ceph's `operator<`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Eversion {
    pub epoch: u32,
    pub version: u64,
}

impl Eversion {
    /// `eversion_t()`: the version before anything happened.
    pub const ZERO: Eversion = Eversion {
        epoch: 0,
        version: 0,
    };
    /// `eversion_t::max()`.
    pub const MAX: Eversion = Eversion {
        epoch: u32::MAX,
        version: u64::MAX,
    };

    pub const fn new(epoch: u32, version: u64) -> Self {
        Eversion { epoch, version }
    }

    pub fn is_zero(self) -> bool {
        self == Eversion::ZERO
    }

    /// Models `eversion_t::get_key_name` (src/osd/osd_types.h): the omap key a log entry is
    /// stored under, fixed width so keys sort like versions.
    pub fn key_name(self) -> String {
        format!("{:010}.{:020}", self.epoch, self.version)
    }
}

impl fmt::Display for Eversion {
    /// As Ceph prints it: `epoch'version`, e.g. `10'5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}'{}", self.epoch, self.version)
    }
}

impl FromStr for Eversion {
    type Err = String;

    /// Parses Ceph's printed form `epoch'version`.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected \"epoch'version\" (e.g. \"10'5\"), got \"{s}\"");
        let (epoch, version) = s.split_once('\'').ok_or_else(bad)?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(epoch) || !digits(version) {
            return Err(bad());
        }
        Ok(Eversion {
            epoch: epoch.parse().map_err(|_| bad())?,
            version: version.parse().map_err(|_| bad())?,
        })
    }
}

impl Serialize for Eversion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Eversion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A position in the PG's object order, as `hobject_t` is used for `last_backfill`: before
/// every object (`MIN`), at a named object, or after every object (`MAX`).
///
/// Ceph orders `hobject_t` by pool, bit-reversed hash, namespace, key, name and snap; cephscope
/// names objects by a plain string and orders them byte-wise. The names `MIN` and `MAX` are
/// therefore reserved: they are how Ceph prints the two bounds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectBound {
    Min,
    Object(String),
    Max,
}

impl ObjectBound {
    pub fn is_max(&self) -> bool {
        matches!(self, ObjectBound::Max)
    }

    /// Whether `object` sorts at or before this bound (Ceph: `!(hoid > last_backfill)`), i.e.
    /// whether this OSD's copy of the object and its missing entry are tracked.
    pub fn covers(&self, object: &str) -> bool {
        match self {
            ObjectBound::Min => false,
            ObjectBound::Object(bound) => object <= bound.as_str(),
            ObjectBound::Max => true,
        }
    }
}

impl Default for ObjectBound {
    /// `pg_info_t()` starts complete: `last_backfill = hobject_t::get_max()`.
    fn default() -> Self {
        ObjectBound::Max
    }
}

impl fmt::Display for ObjectBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectBound::Min => f.write_str("MIN"),
            ObjectBound::Object(name) => f.write_str(name),
            ObjectBound::Max => f.write_str("MAX"),
        }
    }
}

impl FromStr for ObjectBound {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "MIN" => ObjectBound::Min,
            "MAX" => ObjectBound::Max,
            "" => return Err("expected \"MIN\", \"MAX\" or an object name, got \"\"".into()),
            name => ObjectBound::Object(name.to_string()),
        })
    }
}

impl Serialize for ObjectBound {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ObjectBound {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
