//! Reports: one [`Report`](crate::model::Report) rendered into each output format.

pub mod html;
pub mod junit;
pub mod markdown;
pub mod sarif;
