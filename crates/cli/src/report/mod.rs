//! `idv-delete report`: what a set of journals proves, for an auditor.
//!
//! [`model`] is the report's facts, written as JSON for other tools;
//! [`html`] renders the same facts as one self-contained page a person
//! reads in any browser, offline. Reading the journals into the model is
//! the command's own job ([`build`]), apart from both.

pub mod build;
pub mod html;
pub mod model;
