//! The `records` program, told as stories through the fixture layer.

mod smoke;
