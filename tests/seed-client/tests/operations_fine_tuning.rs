//! Wire tests of fine-tuning jobs and of the deprecated fine-tunes, including
//! the fine-tune events stream (`?stream=true`).

mod common;
use client_tests::wire::{Reply, Wire};
use common::SeedWire;
use futures_util::StreamExt;
use seed_client::params::{ListFineTuningEventsParams, ListPaginatedFineTuningJobsParams};
use seed_client::types::{
    CreateFineTuneRequest, CreateFineTuneRequestHyperparameters, CreateFineTuneRequestNEpochs,
    CreateFineTuningJobRequest, CreateFineTuningJobRequestBatchSize,
    CreateFineTuningJobRequestBatchSizeAuto, CreateFineTuningJobRequestHyperparameters,
    CreateFineTuningJobRequestLearningRateMultiplier, CreateFineTuningJobRequestModel,
    CreateFineTuningJobRequestNEpochs, FineTuningJobEventLevel, FineTuningJobNEpochs,
    FineTuningJobNEpochsAuto, FineTuningJobStatus,
};
use serde_json::{json, Value};

fn job_json(id: &str, status: &str) -> Value {
    json!({
        "object": "fine_tuning.job",
        "id": id,
        "model": "gpt-3.5-turbo-0613",
        "created_at": 1614807352,
        "fine_tuned_model": null,
        "organization_id": "org-123",
        "result_files": [],
        "status": status,
        "validation_file": null,
        "training_file": "file-abc123",
        "hyperparameters": {"n_epochs": "auto"},
        "trained_tokens": null,
        "error": null,
        "finished_at": null
    })
}

#[tokio::test]
async fn create_fine_tuning_job() {
    let wire = Wire::serve(
        "POST",
        "/fine_tuning/jobs",
        Reply::json(job_json("ftjob-abc123", "queued")).request_id("req_ftjob"),
    )
    .await;
    let body = CreateFineTuningJobRequest::new(
        CreateFineTuningJobRequestModel::GPT_3_5_TURBO,
        "file-abc123",
    )
    .hyperparameters(
        CreateFineTuningJobRequestHyperparameters::new()
            .batch_size(CreateFineTuningJobRequestBatchSize::Auto(
                CreateFineTuningJobRequestBatchSizeAuto::Auto,
            ))
            .learning_rate_multiplier(CreateFineTuningJobRequestLearningRateMultiplier::Number(
                1.8,
            ))
            .n_epochs(CreateFineTuningJobRequestNEpochs::Integer(3)),
    )
    .suffix("custom-model-name")
    .validation_file("file-def456");

    let resp = wire.seed().create_fine_tuning_job(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/fine_tuning/jobs");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "model": "gpt-3.5-turbo",
        "training_file": "file-abc123",
        "hyperparameters": {"batch_size": "auto", "learning_rate_multiplier": 1.8, "n_epochs": 3},
        "suffix": "custom-model-name",
        "validation_file": "file-def456"
    }));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_ftjob"));
    assert_eq!(resp.id, "ftjob-abc123");
    assert_eq!(resp.status, FineTuningJobStatus::Queued);
    assert_eq!(resp.fine_tuned_model, None);
    assert!(matches!(
        resp.hyperparameters.n_epochs,
        FineTuningJobNEpochs::Auto(FineTuningJobNEpochsAuto::Auto)
    ));
}

#[tokio::test]
async fn list_paginated_fine_tuning_jobs() {
    let mut done = job_json("ftjob-abc124", "succeeded");
    done["fine_tuned_model"] = json!("ft:gpt-3.5-turbo-0613:org-123::8abc");
    done["finished_at"] = json!(1614809352);
    done["trained_tokens"] = json!(5768);
    done["hyperparameters"] = json!({"n_epochs": 3});
    done["result_files"] = json!(["file-res1"]);
    let wire = Wire::serve(
        "GET",
        "/fine_tuning/jobs",
        Reply::json(json!({"object": "list", "data": [done], "has_more": true}))
            .request_id("req_ftjobs"),
    )
    .await;

    let params = ListPaginatedFineTuningJobsParams::new()
        .after("ftjob-abc123")
        .limit(2);
    let resp = wire
        .seed()
        .list_paginated_fine_tuning_jobs(&params)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/fine_tuning/jobs");
    seen.assert_query(&[("after", "ftjob-abc123"), ("limit", "2")]);
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_ftjobs"));
    assert!(resp.has_more);
    let job = &resp.data[0];
    assert_eq!(job.status, FineTuningJobStatus::Succeeded);
    assert_eq!(
        job.fine_tuned_model.as_deref(),
        Some("ft:gpt-3.5-turbo-0613:org-123::8abc")
    );
    assert_eq!(job.trained_tokens, Some(5768));
    assert_eq!(job.finished_at, Some(1614809352));
    assert_eq!(job.result_files, ["file-res1"]);
    assert!(matches!(
        job.hyperparameters.n_epochs,
        FineTuningJobNEpochs::Integer(3)
    ));
}

#[tokio::test]
async fn retrieve_fine_tuning_job_encodes_the_id() {
    let mut failed = job_json("ftjob abc/1", "failed");
    failed["error"] = json!({
        "code": "invalid_training_file",
        "message": "The training file is not valid JSONL.",
        "param": "training_file"
    });
    let wire = Wire::serve(
        "GET",
        "/fine_tuning/jobs/ftjob%20abc%2F1",
        Reply::json(failed).request_id("req_ftjob_get"),
    )
    .await;

    let resp = wire
        .seed()
        .retrieve_fine_tuning_job("ftjob abc/1")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/fine_tuning/jobs/ftjob%20abc%2F1");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_ftjob_get"));
    assert_eq!(resp.id, "ftjob abc/1");
    assert_eq!(resp.status, FineTuningJobStatus::Failed);
    let error = resp.error.as_ref().unwrap();
    assert_eq!(error.code, "invalid_training_file");
    assert_eq!(error.param.as_deref(), Some("training_file"));
}

#[tokio::test]
async fn list_fine_tuning_events() {
    let wire = Wire::serve(
        "GET",
        "/fine_tuning/jobs/ftjob-abc123/events",
        Reply::json(json!({
            "object": "list",
            "data": [
                {
                    "object": "fine_tuning.job.event",
                    "id": "ft-event-ddTJfwuMVpfLXseO0Am0Gqjm",
                    "created_at": 1692407401,
                    "level": "info",
                    "message": "Fine tuning job successfully completed"
                },
                {
                    "object": "fine_tuning.job.event",
                    "id": "ft-event-tyiGuB72evQncpH87xe505Sv",
                    "created_at": 1692407400,
                    "level": "warn",
                    "message": "New fine-tuned model created: ft:gpt-3.5-turbo:openai::7p4lURel"
                }
            ],
            "has_more": false
        }))
        .request_id("req_ftevents"),
    )
    .await;

    let params = ListFineTuningEventsParams::new()
        .after("ft-event-abc")
        .limit(2);
    let resp = wire
        .seed()
        .list_fine_tuning_events("ftjob-abc123", &params)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/fine_tuning/jobs/ftjob-abc123/events");
    seen.assert_query(&[("after", "ft-event-abc"), ("limit", "2")]);
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_ftevents"));
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[0].id, "ft-event-ddTJfwuMVpfLXseO0Am0Gqjm");
    assert_eq!(resp.data[0].level, FineTuningJobEventLevel::Info);
    assert_eq!(resp.data[1].level, FineTuningJobEventLevel::Warn);
    assert_eq!(resp.data[1].created_at, 1692407400);
}

#[tokio::test]
async fn list_fine_tuning_events_without_params_sends_no_query() {
    let wire = Wire::serve(
        "GET",
        "/fine_tuning/jobs/ftjob-abc123/events",
        Reply::json(json!({"object": "list", "data": [], "has_more": false})),
    )
    .await;
    wire.seed()
        .list_fine_tuning_events("ftjob-abc123", &ListFineTuningEventsParams::new())
        .await
        .unwrap();
    wire.request().assert_no_query();
}

#[tokio::test]
async fn cancel_fine_tuning_job() {
    let wire = Wire::serve(
        "POST",
        "/fine_tuning/jobs/ftjob-abc123/cancel",
        Reply::json(job_json("ftjob-abc123", "cancelled")).request_id("req_ftcancel"),
    )
    .await;

    let resp = wire
        .seed()
        .cancel_fine_tuning_job("ftjob-abc123")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/fine_tuning/jobs/ftjob-abc123/cancel");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_ftcancel"));
    assert_eq!(resp.status, FineTuningJobStatus::Cancelled);
}

// ---------------------------------------------------------------------------
// Deprecated fine-tunes.

fn file_json(id: &str, filename: &str, purpose: &str) -> Value {
    json!({
        "id": id, "object": "file", "bytes": 1547276, "created_at": 1610062281,
        "filename": filename, "purpose": purpose, "status": "processed", "status_details": null
    })
}

fn event_json(created_at: i64, message: &str) -> Value {
    json!({"object": "fine-tune-event", "created_at": created_at, "level": "info", "message": message})
}

fn fine_tune_json(id: &str, status: &str) -> Value {
    json!({
        "id": id,
        "object": "fine-tune",
        "model": "curie",
        "created_at": 1614807352,
        "events": [event_json(1614807352, "Job enqueued. Waiting for jobs ahead to complete. Queue number: 0.")],
        "fine_tuned_model": null,
        "hyperparams": {
            "batch_size": 4,
            "learning_rate_multiplier": 0.1,
            "n_epochs": 4,
            "prompt_loss_weight": 0.1
        },
        "organization_id": "org-123",
        "result_files": [],
        "status": status,
        "validation_files": [],
        "training_files": [file_json("file-abc123", "my-data-train.jsonl", "fine-tune")],
        "updated_at": 1614807352
    })
}

#[tokio::test]
#[allow(deprecated)]
async fn create_fine_tune() {
    let wire = Wire::serve(
        "POST",
        "/fine-tunes",
        Reply::json(fine_tune_json("ft-AF1WoRqd3aJAHsqc9NY7iL8F", "pending")).request_id("req_ft"),
    )
    .await;
    let body = CreateFineTuneRequest::new("file-abc123")
        .model("curie")
        .batch_size(4)
        .classification_betas(vec![0.5, 1.0])
        .classification_n_classes(2)
        .classification_positive_class(" yes")
        .compute_classification_metrics(true)
        .hyperparameters(
            CreateFineTuneRequestHyperparameters::new()
                .n_epochs(CreateFineTuneRequestNEpochs::Integer(4)),
        )
        .learning_rate_multiplier(0.1)
        .prompt_loss_weight(0.01)
        .suffix("my-model")
        .validation_file("file-def456");

    let resp = wire.seed().create_fine_tune(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/fine-tunes");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "training_file": "file-abc123",
        "model": "curie",
        "batch_size": 4,
        "classification_betas": [0.5, 1.0],
        "classification_n_classes": 2,
        "classification_positive_class": " yes",
        "compute_classification_metrics": true,
        "hyperparameters": {"n_epochs": 4},
        "learning_rate_multiplier": 0.1,
        "prompt_loss_weight": 0.01,
        "suffix": "my-model",
        "validation_file": "file-def456"
    }));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_ft"));
    assert_eq!(resp.id, "ft-AF1WoRqd3aJAHsqc9NY7iL8F");
    assert_eq!(resp.status, "pending");
    assert_eq!(resp.hyperparams.batch_size, 4);
    assert_eq!(resp.hyperparams.learning_rate_multiplier, 0.1);
    assert_eq!(resp.training_files[0].filename, "my-data-train.jsonl");
    assert_eq!(resp.events.as_ref().unwrap().len(), 1);
}

#[tokio::test]
#[allow(deprecated)]
async fn create_fine_tune_with_only_the_training_file() {
    let wire = Wire::serve(
        "POST",
        "/fine-tunes",
        Reply::json(fine_tune_json("ft-1", "pending")),
    )
    .await;
    wire.seed()
        .create_fine_tune(&CreateFineTuneRequest::new("file-abc123"))
        .await
        .unwrap();
    wire.request()
        .assert_json(&json!({"training_file": "file-abc123"}));
}

#[tokio::test]
#[allow(deprecated)]
async fn list_fine_tunes() {
    let mut done = fine_tune_json("ft-2", "succeeded");
    done["fine_tuned_model"] = json!("curie:ft-acmeco-2021-03-03-21-44-20");
    done["result_files"] = json!([file_json(
        "file-res",
        "compiled_results.csv",
        "fine-tune-results"
    )]);
    let wire = Wire::serve(
        "GET",
        "/fine-tunes",
        Reply::json(json!({
            "object": "list",
            "data": [fine_tune_json("ft-1", "pending"), done]
        }))
        .request_id("req_fts"),
    )
    .await;

    let resp = wire.seed().list_fine_tunes().await.unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/fine-tunes");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_fts"));
    assert_eq!(resp.data.len(), 2);
    assert_eq!(
        resp.data[1].fine_tuned_model.as_deref(),
        Some("curie:ft-acmeco-2021-03-03-21-44-20")
    );
    assert_eq!(
        resp.data[1].result_files[0].filename,
        "compiled_results.csv"
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn retrieve_fine_tune() {
    let wire = Wire::serve(
        "GET",
        "/fine-tunes/ft-AF1WoRqd3aJAHsqc9NY7iL8F",
        Reply::json(fine_tune_json("ft-AF1WoRqd3aJAHsqc9NY7iL8F", "running"))
            .request_id("req_ft_get"),
    )
    .await;

    let resp = wire
        .seed()
        .retrieve_fine_tune("ft-AF1WoRqd3aJAHsqc9NY7iL8F")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/fine-tunes/ft-AF1WoRqd3aJAHsqc9NY7iL8F");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_ft_get"));
    assert_eq!(resp.status, "running");
    assert_eq!(resp.organization_id, "org-123");
}

#[tokio::test]
#[allow(deprecated)]
async fn cancel_fine_tune() {
    let wire = Wire::serve(
        "POST",
        "/fine-tunes/ft%2F..%2Fx/cancel",
        Reply::json(fine_tune_json("ft/../x", "cancelled")).request_id("req_ft_cancel"),
    )
    .await;

    let resp = wire.seed().cancel_fine_tune("ft/../x").await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/fine-tunes/ft%2F..%2Fx/cancel");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_ft_cancel"));
    assert_eq!(resp.status, "cancelled");
}

#[tokio::test]
#[allow(deprecated)]
async fn list_fine_tune_events() {
    let wire = Wire::serve(
        "GET",
        "/fine-tunes/ft-AF1WoRqd3aJAHsqc9NY7iL8F/events",
        Reply::json(json!({
            "object": "list",
            "data": [
                event_json(1614807352, "Job enqueued. Waiting for jobs ahead to complete. Queue number: 0."),
                event_json(1614807356, "Job started.")
            ]
        }))
        .request_id("req_ft_events"),
    )
    .await;

    let resp = wire
        .seed()
        .list_fine_tune_events("ft-AF1WoRqd3aJAHsqc9NY7iL8F")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/fine-tunes/ft-AF1WoRqd3aJAHsqc9NY7iL8F/events");
    // Not streaming: no `stream` parameter (the API's default is false).
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(resp.request_id(), Some("req_ft_events"));
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[1].message, "Job started.");
    assert_eq!(resp.data[1].level, "info");
}

#[tokio::test]
#[allow(deprecated)]
async fn list_fine_tune_events_stream() {
    let events = [
        event_json(
            1614807352,
            "Job enqueued. Waiting for jobs ahead to complete. Queue number: 0.",
        ),
        event_json(1614807356, "Job started."),
        event_json(
            1614807864,
            "Uploaded snapshot: curie:ft-acmeco-2021-03-03-21-44-20.",
        ),
        event_json(1614807865, "Job succeeded."),
    ];
    let wire = Wire::serve(
        "GET",
        "/fine-tunes/ft-AF1WoRqd3aJAHsqc9NY7iL8F/events",
        Reply::sse_done(&events).request_id("req_ft_stream"),
    )
    .await;

    let stream = wire
        .seed()
        .list_fine_tune_events_stream("ft-AF1WoRqd3aJAHsqc9NY7iL8F")
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.request_id(), Some("req_ft_stream"));
    let received: Vec<_> = stream.events().collect().await;

    let seen = wire.request();
    seen.assert_call("GET", "/fine-tunes/ft-AF1WoRqd3aJAHsqc9NY7iL8F/events");
    seen.assert_query(&[("stream", "true")]);
    seen.assert_no_body();
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    let messages: Vec<String> = received
        .into_iter()
        .map(|event| event.unwrap().message)
        .collect();
    assert_eq!(
        messages,
        [
            "Job enqueued. Waiting for jobs ahead to complete. Queue number: 0.",
            "Job started.",
            "Uploaded snapshot: curie:ft-acmeco-2021-03-03-21-44-20.",
            "Job succeeded."
        ]
    );
}
