//! Spec diff: classifies the changes between two OpenAPI documents by what they
//! break for users of a strongly typed generated client.
