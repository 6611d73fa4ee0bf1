/* The PAL's implementations of the 45 downcalls, gathered into pal_abi by
 * pal/common/abi.c.  Each is named after its table entry with a pal_ prefix. */
#ifndef MOAT_PAL_CALLS_H
#define MOAT_PAL_CALLS_H

#include "pal.h"

/* The two exits are declared by hand: typeof would drop their noreturn. */
void pal_DkThreadExit(int exit_code) __attribute__((noreturn));
void pal_DkProcessExit(int exit_code) __attribute__((noreturn));
#define PAL_DECLARE(name) extern __typeof__(*((struct dk_abi *)0)->name) pal_##name;
#define PAL_SKIP(name)
#define PAL_DOWNCALLS(X) PAL_DOWNCALLS_(X, PAL_SKIP)
#define PAL_ALL_DOWNCALLS(X) PAL_DOWNCALLS_(X, X)
#define PAL_DOWNCALLS_(X, XN)                                                                  \
	X(DkVirtualMemoryAlloc) X(DkVirtualMemoryFree) X(DkVirtualMemoryProtect)            \
	X(DkThreadCreate) X(DkThreadDelayExecution) X(DkThreadYieldExecution)               \
	XN(DkThreadExit) X(DkThreadGetParameter) X(DkThreadRaiseException)                   \
	X(DkNotificationEventCreate) X(DkSynchronizationEventCreate) X(DkSemaphoreCreate)   \
	X(DkSemaphoreRelease) X(DkSemaphorePeek) X(DkEventSet) X(DkEventClear)              \
	X(DkEventPeek) X(DkObjectsWaitAny) X(DkAbortEventRegister)                          \
	X(DkProcessCreate) X(DkProcessGetExitCode) XN(DkProcessExit)                         \
	X(DkStreamOpen) X(DkStreamRead) X(DkStreamWrite) X(DkStreamMap)                     \
	X(DkStreamMapPeBinary) X(DkStreamUnmap) X(DkStreamSetLength) X(DkStreamFlush)       \
	X(DkStreamDelete) X(DkStreamGetEvent) X(DkStreamRename)                             \
	X(DkStreamEnumerateChildren) X(DkStreamAttributesQuery)                             \
	X(DkStreamAttributesQueryByHandle)                                                  \
	X(DkSystemTimeQuery) X(DkRandomBitsRead) X(DkInstructionCacheFlush)                 \
	X(DkObjectReference) X(DkObjectClose) X(DkInputEventRead) X(DkFrameBufferExport)    \
	X(DkFrameBufferNotifyUpdate) X(DkDebugStringPrint)                                  \
	X(DkSegmentRegisterSet) X(DkSystemCallTrapSet)                                     \
	X(DkStreamLinkRead) X(DkStreamLinkCreate) X(DkStreamAttributesSet)           \
	X(DkStreamConsoleControl) X(DkStreamShutdown)                                      \
	X(DkProcessFork) X(DkProcessWait) X(DkProcessSignal) X(DkProcessIdControl)        \
	X(DkStreamPipeCreate) X(DkFutexControl) X(DkStreamSeek) \
	X(DkStreamLock) X(DkStreamMessage)

PAL_DOWNCALLS(PAL_DECLARE)

#endif
