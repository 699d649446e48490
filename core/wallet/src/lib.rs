//! The holder wallet (being written).
