"""What a survivor is told about the law of her jurisdiction, in plain English.

Keyed by statement key; ``position.survivor_statements`` chooses the keys from
the cited data in ``legal_position.toml``, so a text is only shown where its
source holds. Plain strings (no Django here): the portal wraps them in gettext,
and ``translations.toml`` carries the reviewed-later translations.

Rules for writing a text: short sentences, plain words; say what the law of
THIS jurisdiction gives, or that it is not known — never promise what the law
does not keep. Northstar's own commitments are marked as ours ("We …").
"""

from __future__ import annotations

STATEMENTS: dict[str, str] = {
    # --- Not being punished for what you were forced to do ------------------------
    "non_punishment.PH": (
        "The law of the Philippines says you must not be punished for crimes that come "
        "directly from being trafficked, or that you did because the trafficker ordered you to. "
        "Ask your caseworker how this applies to you."
    ),
    "non_punishment.TH": (
        "In Thailand the law says the police may not charge you for some things: entering, "
        "staying or leaving without permission, giving false information, false travel papers, "
        "some sex-work offences, and working without a work permit. The Minister of Justice can "
        "still allow a charge in writing. The law does not protect you from every charge. "
        "Talk to your caseworker before you talk to the police."
    ),
    "non_punishment.MY": (
        "In Malaysia the law protects trafficking victims from charges about immigration, such as "
        "coming in or staying without permission, or false travel papers. It does not protect you "
        "from every charge. Talk to your caseworker before you talk to the police."
    ),
    "non_punishment.SG": (
        "In Singapore the government says it does not charge victims for things they were forced "
        "to do because they were trafficked, unless there are strong reasons. This is a policy, "
        "not a law. Talk to your caseworker before you talk to the police."
    ),
    "non_punishment.VN": (
        "In Vietnam the new law says officials decide case by case whether a victim is punished "
        "for things done because of the trafficking. We do not yet know the exact words of the "
        "law. Talk to your caseworker before you talk to the police."
    ),
    "non_punishment.HK": (
        "In Hong Kong there is no law that protects trafficking victims from being punished for "
        "things they were forced to do. Talk to your caseworker before you talk to the police "
        "or immigration officers."
    ),
    "non_punishment.unknown": (
        "It is not known whether the law here protects you from being punished for things you "
        "were forced to do. Ask your caseworker before you talk to the police or other officials."
    ),
    "non_punishment.penalised_reported": (
        "Reports say that victims here have sometimes been arrested, held or punished. "
        "Your caseworker can help you prepare and stay safe."
    ),
    "non_punishment.scam_compound_partial": (
        "If you were forced to work in a scam compound: the law protects you from some "
        "immigration charges. It does not name the other crimes you were forced to do there. "
        "Ask your caseworker."
    ),
    "non_punishment.scam_compound_not_covered": (
        "If you were forced to work in a scam compound: no law here is known to protect you "
        "from being punished for what you were forced to do there. Ask your caseworker before "
        "you talk to officials."
    ),
    "non_punishment.scam_compound_unknown": (
        "If you were forced to work in a scam compound: it is not known how this protection "
        "applies to you. Ask your caseworker."
    ),
    # --- Giving evidence ---------------------------------------------------------
    "testimony.remote.TH": (
        "In Thailand you may be able to give your statement to a court early, before a trial, "
        "so it can be used later. Courts can also hear witnesses who are outside Thailand by video."
    ),
    "testimony.remote.HK": (
        "In Hong Kong a court can let some witnesses speak by live video: children, and people "
        "who are afraid. A witness outside Hong Kong can also speak by video."
    ),
    "testimony.remote.unknown": (
        "It is not known whether you could give evidence by video here, without facing the "
        "person who hurt you. Ask your caseworker."
    ),
    # --- Money for the harm done ---------------------------------------------------
    "compensation.KH": (
        "In Cambodia you can ask for money for the harm done to you as part of the criminal case "
        "against the offender. No state fund for victims was found."
    ),
    "compensation.HK": (
        "In Hong Kong no special way was found for trafficking victims to get money for the harm "
        "done to them. Ask your caseworker or lawyer what is possible."
    ),
    "compensation.MM": (
        "In Myanmar it is not known which ways to get money for the harm done to you still work "
        "under the new law. Ask your caseworker or lawyer."
    ),
    "compensation.PH": (
        "In the Philippines you can bring your own court case for money for the harm done to you, "
        "and you do not pay court fees. A state fund pays victims of violent crime, but it is not "
        "confirmed that it pays trafficking victims."
    ),
    "compensation.TH": (
        "In Thailand the public prosecutor can ask the criminal court to order the trafficker to "
        "pay you. This costs you nothing. But most of these orders have not been paid. The "
        "Anti-Trafficking Fund can pay for help such as shelter, medical care and a lawyer."
    ),
    "compensation.VN": (
        "In Vietnam the law gives you free legal help to claim money for the harm done to you. "
        "The state also gives some support, such as meals, travel costs and health insurance. "
        "No state compensation fund was found."
    ),
    "compensation.LA": (
        "In Laos courts have ordered offenders to pay victims in some criminal cases. "
        "No state fund for victims was found."
    ),
    "compensation.ID": (
        "In Indonesia the court can order the offender to pay you back for lost money or income, "
        "for your suffering, and for medical costs. If the offender cannot pay, the state may pay "
        "part of it. Much of the money ordered has not been paid."
    ),
    "compensation.MY": (
        "In Malaysia the court can order a convicted offender to pay you. Even if there is no "
        "conviction, the court must order your unpaid wages to be paid when the prosecutor asks. "
        "You can also bring your own civil case."
    ),
    "compensation.SG": (
        "In Singapore the trafficking law does not give a right to money for the harm done to "
        "you. Ask your caseworker or lawyer what is possible."
    ),
    "compensation.unknown": (
        "It is not known which ways to get money for the harm done to you exist here. "
        "Ask your caseworker or lawyer."
    ),
    "compensation.without_testimony.some": (
        "Some support here does not need a criminal case, so it does not need you to give "
        "evidence against the offender. Your caseworker can tell you which."
    ),
    "compensation.without_testimony.none_known": (
        "We do not know of a way to get money here that works if you do not give evidence "
        "against the offender. Ask your caseworker or lawyer."
    ),
    # --- Who helps first -------------------------------------------------------------
    "referral.HK": (
        "In Hong Kong, police, immigration or customs officers first ask some questions to see "
        "if you were trafficked. Then there is a longer interview."
    ),
    "referral.PH": (
        "In the Philippines, the Department of Social Welfare and Development (DSWD) runs the "
        "national system that sends victims to help."
    ),
    "referral.TH": (
        "In Thailand you can first stay in a temporary shelter. Then a team of officials and "
        "social workers talks with you to decide if you were trafficked."
    ),
    "referral.VN": (
        "In Vietnam, the police, border guard or coast guard must take you straight to the "
        "commune People's Committee. The committee then tells the other services."
    ),
    "referral.ID": (
        "In Indonesia, teams in the village help find victims and send them to services."
    ),
    "referral.SG": (
        "In Singapore, the Ministry of Manpower or the police decide if you were trafficked. "
        "Others, such as NGOs and embassies, can send you to them."
    ),
    "referral.unknown": (
        "It is not known which office a victim here goes to first. Your caseworker will find "
        "out with you."
    ),
    # --- Children -------------------------------------------------------------------
    "child_reporting.unknown": (
        "It is not known whether adults here must tell the authorities when a child is harmed. "
        "Ask your caseworker what happens to information about a child."
    ),
    # --- Time to rest ---------------------------------------------------------------
    "reflection.TH": (
        "In Thailand, guidelines say you can stay in a temporary shelter for up to 15 days before "
        "an interview about what happened to you. This is a guideline, not a law."
    ),
    "reflection.HK": (
        "Hong Kong has no rule that gives you time to rest and think before you are asked "
        "questions."
    ),
    "reflection.unknown": (
        "It is not known whether the law here gives you time to rest and think before you are "
        "asked questions."
    ),
    # --- Moving freely, staying, going home -------------------------------------------
    "movement.MY": (
        "In Malaysia the law lets officials give you permission to move around freely and to work."
    ),
    "movement.stay_and_work.SG": (
        "In Singapore you may get a special pass to stay while your case goes on, and you may be "
        "helped to find work."
    ),
    "movement.stay_and_work.TH": (
        "In Thailand foreign victims and witnesses may be allowed to stay and work for a time."
    ),
    "movement.detention_reported": (
        "Reports say that victims here have been held in detention. Ask your caseworker what "
        "could happen and how to stay safe."
    ),
    "movement.unknown": (
        "It is not known whether the law here lets you move around freely while you get help."
    ),
    "return.HK": (
        "In Hong Kong there is no law that lets trafficking victims stay. Reports say victims have "
        "been arrested and made to leave. Ask your caseworker about your choices."
    ),
    "return.unknown": (
        "It is not known whether the law here lets you choose if and when you go home."
    ),
    # --- What Northstar's organisations commit to (not law) ---------------------------
    "commitment.services_not_conditional": (
        "We help you even if you do not go to court or talk to the police."
    ),
    "commitment.no_pressure_to_testify": (
        "You choose if and how you take part in a court case. We will not pressure you."
    ),
    "commitment.free_to_leave_our_shelters": "In our shelters you are free to come and go.",
    "commitment.free_to_leave_our_shelters_child": (
        "In our shelters you are free to come and go. If you are under 18, an adult may need "
        "to go with you to keep you safe. We will tell you why."
    ),
    "commitment.no_push_to_return": (
        "We will never push you to go home. We help you go home only if you want to."
    ),
    "commitment.interpreter": "You can ask us for an interpreter who speaks your language.",
    "commitment.tell_once": (
        "We try to make sure you tell your story as few times as possible. You can say no to "
        "telling it again."
    ),
    "commitment.police_only_with_consent": (
        "We share your information with the police only if you agree."
    ),
    "commitment.no_rush_to_identify": (
        "We will not push you to answer questions before you are ready."
    ),
}
