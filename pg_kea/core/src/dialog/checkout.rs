//! From "anything else?" to the submitted order: read-back, the caller's yes, fulfilment,
//! address, name and phone.

use super::*;

impl Turn<'_> {
    /// After "that's all": the missing choices and details, then the read-back. A line still
    /// missing a size or a required option is asked for again, however the caller got here
    /// ("that's all" while kea asked for the size): it never reaches the read-back.
    pub(super) fn proceed(&mut self) -> (String, Next) {
        if let Some(q) = self.next_choice() {
            return q;
        }
        let store = self.store().clone();
        let d = &self.state.details;
        if store.offers_delivery && d.fulfillment.is_none() {
            self.state.phase = Phase::AskFulfillment;
            return self.ask("Is that for pickup or delivery?".into());
        }
        if d.fulfillment == Some(crate::extract::Fulfillment::Delivery) && d.address.is_none() {
            self.state.phase = Phase::AskAddress;
            return self.ask("What's the delivery address?".into());
        }
        if store.asks_name && d.name.is_none() {
            self.state.phase = Phase::AskName;
            return self.ask("What name should I put the order under?".into());
        }
        if self.state.local_phone.is_some() {
            // Seven digits are no number to text: the area code is asked, never guessed.
            self.state.phase = Phase::AskAreaCode;
            let say = self.area_code_question();
            return self.ask(say);
        }
        if d.phone.is_none() {
            match self
                .input
                .caller
                .clone()
                .filter(|c| digits_of(c).len() >= 7)
            {
                Some(c) => self.state.details.phone = Some(c),
                None => {
                    self.state.phase = Phase::AskCallback;
                    return self.ask("What's the best number to reach you?".into());
                }
            }
        }
        self.read_back()
    }

    pub(super) fn read_back(&mut self) -> (String, Next) {
        if let Some(reply) = self.not_ready() {
            return reply;
        }
        self.state.phase = Phase::Confirm;
        let order = price_order(&self.menu.menu, &self.state.cart, &self.state.details);
        let mut say = speech::read_back(&order);
        match self.state.details.fulfillment {
            Some(crate::extract::Fulfillment::Delivery) => {
                if let Some(a) = &self.state.details.address {
                    say.push_str(&format!(" For delivery to {a}."));
                }
            }
            _ => say.push_str(" For pickup."),
        }
        // A number the caller said that is not the one they call from is read back: the text
        // goes there.
        if let Some(phone) = self.state.details.phone.clone().filter(|p| {
            !self
                .input
                .caller
                .as_deref()
                .is_some_and(|c| same_phone(c, p))
        }) {
            say.push_str(&format!(" We'll text {}.", spoken_phone(&phone)));
            self.notes.push("number read back".into());
        }
        say.push_str(" Shall I place the order?");
        self.notes.push("read back".into());
        self.ask(say)
    }

    /// The last guard before a read-back or a submit, after every question was asked: an
    /// empty cart goes back to ordering, and a cart the shared validation still refuses (a
    /// rule no repair knows) goes to a person rather than be read back or saved.
    pub(super) fn not_ready(&mut self) -> Option<(String, Next)> {
        if self.state.cart.is_empty() {
            self.state.phase = Phase::Ordering;
            return Some(
                self.ask("You haven't ordered anything yet. What can I get for you?".into()),
            );
        }
        let problems = crate::order_rules::validate_cart(&self.menu.menu, &self.state.cart);
        if problems.is_empty() {
            return None;
        }
        self.notes.push(format!("cart refused: {problems:?}"));
        Some(self.transfer("invalid_cart"))
    }

    pub(super) fn answer_confirm(&mut self, ex: &Extraction) -> Option<(String, Next)> {
        let changes = !ex.lines.is_empty()
            || ex.intents.iter().any(|i| {
                matches!(
                    i,
                    Intent::Remove { .. } | Intent::SetQuantity { .. } | Intent::Modify { .. }
                )
            });
        if changes {
            self.state.phase = Phase::AnythingElse;
            let reply = self.take_order(ex)?;
            if self.state.phase == Phase::AnythingElse {
                // A change at the read-back goes straight back to the read-back.
                return Some(self.proceed());
            }
            return Some(reply);
        }
        if has(ex, |i| matches!(i, Intent::Yes)) {
            return Some(self.submit());
        }
        if has(ex, |i| matches!(i, Intent::No)) {
            self.state.phase = Phase::AnythingElse;
            return Some(self.ask("Okay, what would you like to change?".into()));
        }
        None
    }

    pub(super) fn submit(&mut self) -> (String, Next) {
        // The read-back was complete, but the state may come from an older version or the menu
        // may have changed since: an incomplete line is never submitted.
        if let Some(q) = self.next_choice() {
            return q;
        }
        if let Some(reply) = self.not_ready() {
            return reply;
        }
        let order = price_order(&self.menu.menu, &self.state.cart, &self.state.details);
        let store = self.store().clone();
        self.state.phase = Phase::Submitted;
        self.notes.push("order submitted".into());
        let ready = match (self.state.details.fulfillment, store.prep_minutes) {
            (Some(crate::extract::Fulfillment::Delivery), _) => String::new(),
            (_, Some(m)) => format!(" It'll be ready for pickup in about {m} minutes."),
            _ => String::new(),
        };
        let say = format!(
            "Great, your order is in.{ready} We'll text you a confirmation. Thanks for calling {}, goodbye!",
            store.name
        );
        self.outcome = Some(Outcome::Submitted { order });
        (say, Next::Hangup)
    }

    pub(super) fn answer_fulfillment(&mut self, ex: &Extraction) -> Option<(String, Next)> {
        let f = ex.details.fulfillment?;
        self.state.details.fulfillment = Some(f);
        if ex.details.address.is_some() {
            self.state.details.address = ex.details.address.clone();
        }
        Some(self.proceed())
    }

    pub(super) fn answer_address(&mut self, text: &str, ex: &Extraction) -> Option<(String, Next)> {
        let address = ex.details.address.clone().or_else(|| {
            // An answer to "what's the address?" is the address, if it has a house number.
            text.split_whitespace()
                .any(|w| w.chars().all(|c| c.is_ascii_digit()))
                .then(|| text.trim().to_string())
        })?;
        self.state.details.address = Some(address);
        Some(self.proceed())
    }

    pub(super) fn answer_name(&mut self, text: &str, ex: &Extraction) -> Option<(String, Next)> {
        let name = ex.details.name.clone().or_else(|| {
            let words: Vec<&str> = text.split_whitespace().collect();
            (words.len() <= 3 && !words.is_empty()).then(|| title_case(text))
        })?;
        self.state.details.name = Some(name);
        Some(self.proceed())
    }

    pub(super) fn answer_phone(&mut self, ex: &Extraction) -> Option<(String, Next)> {
        if let Some(phone) = ex.details.phone.clone().filter(|p| p.len() >= 7) {
            return Some(self.take_phone(phone));
        }
        if has(ex, |i| matches!(i, Intent::Yes)) {
            if let Some(c) = self.input.caller.clone() {
                return Some(self.take_phone(c));
            }
        }
        if has(ex, |i| matches!(i, Intent::No)) {
            return Some(self.ask("What number should we use?".into()));
        }
        None
    }

    pub(super) fn take_phone(&mut self, phone: String) -> (String, Next) {
        if self.state.phase != Phase::TakeCallback && digits_of(&phone).len() == LOCAL_DIGITS {
            self.state.local_phone = Some(digits_of(&phone));
            return self.proceed();
        }
        self.state.local_phone = None;
        self.state.details.phone = Some(phone.clone());
        if self.state.phase == Phase::TakeCallback {
            self.state.phase = Phase::Ended;
            self.outcome = Some(Outcome::Callback {
                phone: phone.clone(),
            });
            let say = format!(
                "Thanks. The restaurant will call you back at {} as soon as they can. Goodbye!",
                spoken_phone(&phone)
            );
            return (say, Next::Hangup);
        }
        self.proceed()
    }
}

/// Digits of a number said without its area code (a local number in North America).
pub(super) const LOCAL_DIGITS: usize = 7;

impl Turn<'_> {
    /// "What's the area code for 5 5 5, 1 2 3 4?"
    pub(super) fn area_code_question(&self) -> String {
        format!(
            "What's the area code for {}?",
            spoken_phone(self.state.local_phone.as_deref().unwrap_or_default())
        )
    }

    /// The answer to the area code question: three digits complete the number, a whole number
    /// replaces it, seven new digits are a new number without its area code.
    pub(super) fn answer_area_code(&mut self, digits: &str) -> Option<(String, Next)> {
        let local = self.state.local_phone.clone().unwrap_or_default();
        let number = match digits.len() {
            3 => format!("{digits}{local}"),
            LOCAL_DIGITS => {
                self.state.local_phone = Some(digits.to_string());
                let say = self.area_code_question();
                return Some(self.ask(say));
            }
            n if n >= 10 => digits.to_string(),
            _ => return None,
        };
        self.notes.push("area code taken".into());
        self.state.local_phone = None;
        self.state.details.phone = Some(number);
        Some(self.proceed())
    }
}
