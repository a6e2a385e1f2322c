//! Product documents: the shared rules (`pos_shared::product_doc`), with their errors in the
//! till's words.

pub use pos_shared::product_doc::*;

use crate::error::PosError;

impl From<DocError> for PosError {
    fn from(e: DocError) -> PosError {
        PosError::Document {
            product: e.product.to_string(),
            detail: e.detail,
        }
    }
}
