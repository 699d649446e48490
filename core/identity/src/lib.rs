//! Vietnamese identity values (being written).
