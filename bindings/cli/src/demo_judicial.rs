//! Demo step of judicial-record certificate requests: a draft prefilled from the verified
//! identity, the field-named validation and the fee, submission under an idempotency key,
//! payment through the backend's test gateway, the office's workflow driven through its dev
//! endpoint (with a question the citizen answers), and the electronic certificate presented
//! as a QR and verified at a counter.

use std::sync::Arc;
use std::time::Duration;
use vneid_wallet::Wallet;
use vneid_wallet::api_client::ApiClient;
use vneid_wallet::credential::cose::PublicKey;
use vneid_wallet::judicial::{
    DevJudicialAction, DevJudicialAdvanceRequest, JudicialStatusListener, LocalState, StatusChange,
    TestPaymentGateway, month_turning_14,
};

type BoxError = Box<dyn std::error::Error>;

/// Prints every office step the wallet learns about (the app would show a notification).
struct PrintListener;

impl JudicialStatusListener for PrintListener {
    fn on_status_changed(&self, change: StatusChange) {
        println!(
            "    ▸ notification: {:?}{}",
            change.status,
            change.note.map(|n| format!(" — {n}")).unwrap_or_default()
        );
    }
}

/// Runs the three judicial steps, numbered from `first_step`.
pub async fn run(
    wallet: &Wallet,
    base_url: &str,
    anchor: &PublicKey,
    dev_token: &str,
    first_step: u32,
) -> Result<(), BoxError> {
    println!(
        "\n[{first_step}] Judicial-record certificate (Phiếu lý lịch tư pháp): a draft prefilled from the verified identity"
    );
    let draft = wallet.new_judicial_draft(None)?;
    let errors = wallet.validate_judicial(&draft.form)?;
    println!(
        "    prefilled and locked: name, date of birth, sex, nationality, ID number, permanent residence"
    );
    println!(
        "    still to fill ({} errors, each naming its field): {}",
        errors.len(),
        errors
            .iter()
            .map(|e| e.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut form = draft.form.clone();
    form.purpose = "Bổ sung hồ sơ xin việc".into();
    form.personal.ethnicity.value = "Kinh".into();
    form.personal.id_issue_date.value = "2021-06-01".into();
    form.copies = 3;
    let first = form
        .residence_history
        .first_mut()
        .ok_or("the prefilled draft has no residence period")?;
    first.from = month_turning_14(&form.personal.date_of_birth.value)
        .ok_or("the population record has no valid date of birth")?;
    let form = wallet.save_judicial_draft(draft.local_id, &form)?;
    let left = wallet.validate_judicial(&form)?;
    if !left.is_empty() {
        return Err(format!("the completed form still has errors: {left:?}").into());
    }
    let fee = wallet.judicial_fee(&form)?;
    println!(
        "    No. 1, 3 copies, electronic delivery; fee shown before submitting: {} VND ({} {} + {} extra cop{} × 5 000)",
        fee.total,
        fee.category,
        fee.base_fee,
        fee.extra_copies,
        if fee.extra_copies == 1 { "y" } else { "ies" }
    );

    println!(
        "\n[{}] Submitting (idempotency key stored before sending), paying, and the office's workflow",
        first_step + 1
    );
    wallet.set_judicial_listener(Some(Arc::new(PrintListener)));
    let info = wallet.submit_judicial(draft.local_id).await?;
    if info.state != LocalState::Submitted {
        return Err(format!("the request was not submitted: {:?}", info.state).into());
    }
    let office = info.office.ok_or("no backend answer")?;
    println!(
        "    submitted as {} after {} attempt(s)",
        office.reference, info.attempts
    );
    if office.fee_vnd > 0 {
        let gateway = Arc::new(TestPaymentGateway::new(base_url, dev_token)?);
        wallet.pay_judicial(draft.local_id, gateway).await?;
        println!(
            "    paid {} VND through the test payment gateway",
            office.fee_vnd
        );
    } else {
        println!("    exempt from the fee: nothing to pay");
    }
    let api = ApiClient::new(base_url, Duration::from_secs(10))?;
    let step = |action: DevJudicialAction| {
        let api = &api;
        let request_id = office.request_id.clone();
        async move {
            api.dev_judicial_advance(dev_token, &DevJudicialAdvanceRequest { request_id, action })
                .await
        }
    };
    step(DevJudicialAction::Accept).await?;
    step(DevJudicialAction::Process).await?;
    step(DevJudicialAction::RequestInfo {
        question: "Vui lòng bổ sung nơi cư trú năm 2015".into(),
    })
    .await?;
    wallet.refresh_judicial().await?;
    wallet
        .answer_judicial(draft.local_id, "Năm 2015 tôi cư trú tại Hà Nội")
        .await?;
    println!("    the citizen answered the office's question in the app");
    step(DevJudicialAction::Ready).await?;
    wallet.refresh_judicial().await?;

    println!(
        "\n[{}] Receiving the electronic certificate, showing it as a QR, verifying it at a counter",
        first_step + 2
    );
    let held = wallet.fetch_judicial_certificate(draft.local_id).await?;
    println!("    {} signed copies stored in the wallet", held.copies);
    let presentation = wallet.present_judicial_certificate(None)?;
    println!(
        "    QR version {} ({} characters)",
        presentation.qr.version,
        presentation.text.len()
    );
    crate::verify::verify_at_counter(
        base_url,
        &presentation.text,
        anchor,
        "the judicial-record certificate",
    )
    .await?;
    let history = wallet.judicial_history(draft.local_id)?;
    let steps: Vec<String> = history.iter().map(|h| step_label(h.kind)).collect();
    println!("    request history: {}", steps.join(" → "));
    wallet.set_judicial_listener(None);
    Ok(())
}

/// One history step as the citizen would read it in the app's timeline.
fn step_label(kind: vneid_wallet::judicial::HistoryKind) -> String {
    use vneid_wallet::judicial::HistoryKind as K;
    match kind {
        K::Drafted => "drafted".into(),
        K::Queued => "queued".into(),
        K::SendAttempt => "sent".into(),
        K::Submitted => "submitted".into(),
        K::Failed => "failed".into(),
        K::Office(status) => format!("office: {status:?}").to_lowercase(),
        K::Answered => "answered".into(),
        K::Paid => "paid".into(),
        K::CertificateStored => "certificate stored".into(),
    }
}
