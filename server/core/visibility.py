"""The audience of every event: who may see it (`server.core.audience.can_see` decides).

Rules:
- the exercise's own life (ready, started, paused, resumed, ended, clock) is public;
- its creation carries the whole scenario (every team's private material, staff notes), so
  only staff see it; participants learn the public part from their welcome snapshot;
- a participant's arrival and presence are seen by their team (staff: by staff only);
- credentials are staff business;
- a team message is seen by its team; an announcement by the audience control chose;
- an inject is seen by its audience once released; holding, skipping, re-timing and editing
  it are staff business; opening and acknowledging it, by the participant (and staff);
- an action, the team's channel with control and a mentor's prompt: the team (and staff); the
  evaluators' flags on an action (a safeguard skipped): staff;
- an item shared: both teams (or every member team, shared into a joint team); a flag on
  sharing against a handling code: staff; a joint team formed: its member teams;
- a request flagged by a legal rule (`server.core.legal`), a scheduled clock jump skipped: staff;
- a character's state (trust, status), a mentor's note, control's preview of a station: staff;
- evaluation (observations, the improvement plan): staff; a questionnaire opened or closed:
  everyone (the stations show its form); a named answer: its author (so their station knows
  they answered), an anonymous one: staff;
- an artefact an inject changed (degraded, destroyed, moved): the teams holding it then (the
  event names them);
- SimCell's answer scheduled for later: staff (the requesting team sees the answer when it
  comes); an answer promised for after ENDEX: the request's audience;
- a request is seen by the requesting team while it is drafted, then also by the receiving
  team once sent (SimCell, that is staff, when nobody plays that country); an artefact
  released by an answer, by its audience (the requesting team, and the answering team when
  people play it: it holds what it gave).

Every rule depends only on facts that never change (a participant's team, a request's
teams, what an event says), so an event's audience is the same whenever it is computed:
live, in a replay, or after a restart.
"""

from __future__ import annotations

from server.core.audience import Audience
from server.core.events import (
    EVALUATION_EVENTS,
    ActionFlagged,
    ActionTaken,
    AnnouncementMade,
    AnswerDeferred,
    AnswerScheduled,
    ArtefactChanged,
    ArtefactReleased,
    ArtefactShared,
    CharacterChanged,
    ClarificationRequested,
    ClockJumped,
    ClockJumpSkipped,
    ClockSpeedChanged,
    ConnectionClosed,
    ConnectionOpened,
    ConsentGranted,
    ControlMessagePosted,
    CredentialIssued,
    CredentialRevoked,
    DirectMessagePosted,
    Event,
    ExerciseCreated,
    ExerciseEnded,
    ExercisePaused,
    ExerciseReady,
    ExerciseResumed,
    ExerciseStarted,
    FeedbackGiven,
    InjectAcknowledged,
    InjectEdited,
    InjectHeld,
    InjectHoldLifted,
    InjectOpened,
    InjectReleased,
    InjectRetimed,
    InjectSkipped,
    JointTeamFormed,
    MentorPrompted,
    MessagePosted,
    NoteWritten,
    ParticipantAdded,
    QuestionnaireClosed,
    QuestionnaireOpened,
    RequestAcknowledged,
    RequestAmended,
    RequestAnswered,
    RequestClarified,
    RequestDeadlineWarned,
    RequestDrafted,
    RequestFlagged,
    RequestRefused,
    RequestSent,
    RequestUpdated,
    RequestValidated,
    RequestWithdrawn,
    SharingFlagged,
    StationPreviewed,
)
from server.core.state import Exercise, teams_of

_PUBLIC = (
    ExerciseReady,
    ExerciseStarted,
    ExercisePaused,
    ExerciseResumed,
    ExerciseEnded,
    ClockSpeedChanged,
    ClockJumped,
)


def audience(state: Exercise, event: Event) -> Audience:
    """Who may see `event`; `state` is the exercise with the event applied."""
    match event:
        case _ if isinstance(event, _PUBLIC):
            return Audience.all()
        case ExerciseCreated():
            return Audience.staff_only()  # it holds the whole scenario: every team's secrets
        case ParticipantAdded():
            return Audience.team(event.team) if not event.staff else Audience.staff_only()
        case ConnectionOpened() | ConnectionClosed():
            member = state.participants[event.participant]
            return Audience.staff_only() if member.staff else Audience.team(member.team)
        case CredentialIssued() | CredentialRevoked():
            return Audience.staff_only()
        case MessagePosted():
            return Audience.team(event.team)
        case AnnouncementMade() | InjectReleased():
            return event.audience
        case InjectHeld() | InjectHoldLifted() | InjectSkipped() | InjectRetimed() | InjectEdited():
            return Audience.staff_only()  # the MSEL is control's business until release
        case InjectOpened() | InjectAcknowledged():
            return Audience.of(participants=[event.participant])
        case RequestDrafted():
            return Audience.of(teams=[event.source_team, *event.cosigners])
        case RequestUpdated() | RequestValidated():
            return state.requests[event.request].audience(sent=False)
        case RequestWithdrawn() | ConsentGranted():
            return state.requests[event.request].audience(sent=event.sent)
        case (
            RequestSent()
            | RequestAcknowledged()
            | ClarificationRequested()
            | RequestClarified()
            | RequestAnswered()
            | RequestRefused()
            | RequestDeadlineWarned()
            | RequestAmended()
        ):
            return state.requests[event.request].audience(sent=True)
        case ArtefactReleased() | ArtefactChanged():
            return event.audience
        case AnswerScheduled():
            return Audience.staff_only()
        case AnswerDeferred():
            return state.requests[event.request].audience(sent=True)
        case ActionTaken() | ControlMessagePosted() | MentorPrompted():
            return Audience.team(event.team)
        case DirectMessagePosted():
            return Audience.of(teams=[event.from_team, event.to_team])
        case ArtefactShared():
            return Audience.of(teams=[event.from_team, *teams_of(state, event.to_team)])
        case JointTeamFormed():
            return Audience.of(teams=event.teams)
        case SharingFlagged() | CharacterChanged() | NoteWritten() | ActionFlagged() | StationPreviewed():
            return Audience.staff_only()
        case RequestFlagged() | ClockJumpSkipped():
            return Audience.staff_only()  # a legal flag is the evaluators'; a skipped jump, control's
        case QuestionnaireOpened() | QuestionnaireClosed():
            return Audience.all()  # the stations show the form while it is open
        case FeedbackGiven() if event.participant:
            return Audience.of(participants=[event.participant])  # a named answer: its author
        case _ if isinstance(event, EVALUATION_EVENTS):
            return Audience.staff_only()  # observations, answers, the improvement plan
    raise ValueError(f"no audience rule for {event.kind}")
